// Kernels for pointer_chase: linked lists whose links are device pointers stored in device
// memory, spread over two node pools (two separate allocations) so links cross allocations.
//
// Node k (0 <= k < 2 * per_pool) lives in pool_a[k] when k < per_pool, else pool_b[k - per_pool].
// The host uploads only an order of node indices; the device turns it into pointers:
// list l is order[l * len .. l * len + len - 1], heads[l] points at its first node, each
// node's next points at the following one (NULL at the end), and each node's value points
// at values[k], a third allocation.

struct node {
    node *next;
    unsigned int *value;
};

__device__ __forceinline__ node *node_at(node *pool_a, node *pool_b, unsigned int per_pool, unsigned int k)
{
    return k < per_pool ? &pool_a[k] : &pool_b[k - per_pool];
}

// One thread per position in `order` (lists * len positions).
extern "C" __global__ void link_lists(node *pool_a, node *pool_b, unsigned int per_pool,
                                      unsigned int *values, const unsigned int *order,
                                      unsigned int lists, unsigned int len, node **heads)
{
    unsigned int p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= lists * len) {
        return;
    }
    unsigned int k = order[p];
    node *self = node_at(pool_a, pool_b, per_pool, k);
    unsigned int pos = p % len;
    self->value = &values[k];
    self->next = pos + 1 < len ? node_at(pool_a, pool_b, per_pool, order[p + 1]) : (node *)0;
    if (pos == 0) {
        heads[p / len] = self;
    }
}

// Adds `delta` to every value, so each round changes what the walk must find.
extern "C" __global__ void bump_values(unsigned int *values, unsigned int count, unsigned int delta)
{
    unsigned int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k < count) {
        values[k] += delta;
    }
}

// One thread per list: follows next pointers from heads[l], summing *value, and stores the
// sum and the number of nodes visited (capped at max_hops, so a cycle cannot hang the walk).
extern "C" __global__ void walk_lists(node *const *heads, unsigned int lists, unsigned int max_hops,
                                      unsigned long long *sums, unsigned int *hops)
{
    unsigned int l = blockIdx.x * blockDim.x + threadIdx.x;
    if (l >= lists) {
        return;
    }
    unsigned long long sum = 0;
    unsigned int visited = 0;
    for (const node *cur = heads[l]; cur != 0 && visited < max_hops; cur = cur->next) {
        sum += *cur->value;
        visited++;
    }
    sums[l] = sum;
    hops[l] = visited;
}
