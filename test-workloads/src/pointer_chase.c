/*
 * pointer_chase: linked lists of device pointers, built and walked on the device.
 *
 * Nodes live in two pools (two cuMemAlloc allocations) and each points at its value in a
 * third; list heads are device pointers in a fourth. The host uploads only a shuffled
 * order of node indices; the link_lists kernel turns it into pointers on the device, so
 * the device memory itself holds device addresses, as in any real linked structure. Such
 * pointers cannot be translated, so they survive a migration only if every allocation keeps
 * its address.
 *
 * Each of --rounds rounds adds the round number to every value and walks every list (one
 * thread per list), checking each list's sum and length against the host's expectation.
 * At the end the host reads back all nodes and heads raw and checks every pointer: inside
 * its allocation, on a node boundary, and linking exactly the nodes of the uploaded order.
 */
#include "common/workload.h"

#include <stdio.h>
#include <stdlib.h>

#define BLOCK 128

/* Host image of the device's struct node (kernels/pointer_chase.cu). */
struct node {
    uint64_t next;
    uint64_t value;
};

_Static_assert(sizeof(struct node) == 16, "struct node is two 64-bit pointers on the device");

/* Device address of node k, which lives in pool A when k < per_pool, else in pool B. */
static uint64_t node_address(CUdeviceptr pool_a, CUdeviceptr pool_b, unsigned int per_pool, unsigned int k)
{
    return k < per_pool ? pool_a + (uint64_t)k * sizeof(struct node)
                        : pool_b + (uint64_t)(k - per_pool) * sizeof(struct node);
}

/* Checks every raw pointer read back from the device; returns 1 when all are right. */
static int check_links(const struct node *a_nodes, const struct node *b_nodes, const uint64_t *heads,
                       const unsigned int *order, CUdeviceptr pool_a, CUdeviceptr pool_b, CUdeviceptr values,
                       unsigned int per_pool, unsigned int lists, unsigned int len)
{
    uint64_t pool_bytes = (uint64_t)per_pool * sizeof(struct node);
    for (unsigned int l = 0; l < lists; l++) {
        uint64_t at = heads[l];
        for (unsigned int pos = 0; pos < len; pos++) {
            unsigned int k = order[(size_t)l * len + pos];
            const struct node *node;
            if (at >= pool_a && at < pool_a + pool_bytes && (at - pool_a) % sizeof(struct node) == 0) {
                node = &a_nodes[(at - pool_a) / sizeof(struct node)];
            } else if (at >= pool_b && at < pool_b + pool_bytes && (at - pool_b) % sizeof(struct node) == 0) {
                node = &b_nodes[(at - pool_b) / sizeof(struct node)];
            } else {
                fprintf(stderr, "pointer_chase: list %u position %u: pointer 0x%llx is not a node of pool A "
                                "[0x%llx, +%llu) or pool B [0x%llx, +%llu)\n",
                        l, pos, (unsigned long long)at, (unsigned long long)pool_a, (unsigned long long)pool_bytes,
                        (unsigned long long)pool_b, (unsigned long long)pool_bytes);
                return 0;
            }
            if (at != node_address(pool_a, pool_b, per_pool, k)) {
                fprintf(stderr, "pointer_chase: list %u position %u points at 0x%llx, expected node %u at 0x%llx\n", l,
                        pos, (unsigned long long)at, k, (unsigned long long)node_address(pool_a, pool_b, per_pool, k));
                return 0;
            }
            uint64_t want_value = values + (uint64_t)k * sizeof(uint32_t);
            if (node->value != want_value) {
                fprintf(stderr, "pointer_chase: node %u value pointer 0x%llx, expected 0x%llx\n", k,
                        (unsigned long long)node->value, (unsigned long long)want_value);
                return 0;
            }
            at = node->next;
        }
        if (at != 0) {
            fprintf(stderr, "pointer_chase: list %u does not end after %u nodes (next 0x%llx)\n", l, len,
                    (unsigned long long)at);
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    long long lists = 128;
    long long len = 128;
    long long rounds = 100;
    wl_flag flags[] = {
        { "lists", &lists, 1, 1 << 24, "number of lists (one walking thread each)" },
        { "len", &len, 1, 1 << 24, "nodes per list" },
        { "rounds", &rounds, 1, 90000, "bump + walk rounds, each checked (values stay below 2^32)" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "pointer_chase", flags, &common);
    unsigned long long total = (unsigned long long)lists * (unsigned long long)len;
    if (total % 2 != 0 || total > (1ULL << 31)) {
        fprintf(stderr, "pointer_chase: lists * len = %llu must be even and at most 2^31\n", total);
        return 2;
    }
    unsigned int nodes = (unsigned int)total;
    unsigned int per_pool = nodes / 2;

    wl_gpu gpu;
    wl_open(&gpu, "pointer_chase");
    CUmodule module = wl_load_module("pointer_chase", WL_LOAD_DATA);
    CUfunction link = wl_function(module, "link_lists");
    CUfunction bump = wl_function(module, "bump_values");
    CUfunction walk = wl_function(module, "walk_lists");

    /* A shuffled order of all node indices (Fisher-Yates), so lists hop between the pools. */
    unsigned int *order = malloc((size_t)nodes * sizeof *order);
    uint32_t *values = malloc((size_t)nodes * sizeof *values);
    unsigned long long *base_sums = calloc((size_t)lists, sizeof *base_sums);
    unsigned long long *sums = malloc((size_t)lists * sizeof *sums);
    unsigned int *hops = malloc((size_t)lists * sizeof *hops);
    struct node *a_nodes = malloc((size_t)per_pool * sizeof *a_nodes);
    struct node *b_nodes = malloc((size_t)per_pool * sizeof *b_nodes);
    uint64_t *heads = malloc((size_t)lists * sizeof *heads);
    if (order == NULL || values == NULL || base_sums == NULL || sums == NULL || hops == NULL || a_nodes == NULL ||
        b_nodes == NULL || heads == NULL) {
        wl_die("out of host memory for %u nodes", nodes);
    }
    uint32_t seed = 31337;
    for (unsigned int k = 0; k < nodes; k++) {
        order[k] = k;
        values[k] = wl_rand_u32(&seed) % 1000u;
    }
    for (unsigned int k = nodes - 1; k > 0; k--) {
        unsigned int j = wl_rand_u32(&seed) % (k + 1);
        unsigned int t = order[k];
        order[k] = order[j];
        order[j] = t;
    }
    for (size_t p = 0; p < nodes; p++) {
        base_sums[p / (size_t)len] += values[order[p]];
    }

    CUdeviceptr d_pool_a, d_pool_b, d_values, d_order, d_heads, d_sums, d_hops;
    size_t pool_bytes = (size_t)per_pool * sizeof(struct node);
    CHECK(cuMemAlloc(&d_pool_a, pool_bytes));
    CHECK(cuMemAlloc(&d_pool_b, pool_bytes));
    CHECK(cuMemAlloc(&d_values, (size_t)nodes * sizeof(uint32_t)));
    CHECK(cuMemAlloc(&d_order, (size_t)nodes * sizeof(unsigned int)));
    CHECK(cuMemAlloc(&d_heads, (size_t)lists * sizeof(uint64_t)));
    CHECK(cuMemAlloc(&d_sums, (size_t)lists * sizeof(unsigned long long)));
    CHECK(cuMemAlloc(&d_hops, (size_t)lists * sizeof(unsigned int)));
    CHECK(cuMemcpyHtoD(d_values, values, (size_t)nodes * sizeof(uint32_t)));
    CHECK(cuMemcpyHtoD(d_order, order, (size_t)nodes * sizeof(unsigned int)));
    CHECK(cuMemsetD8(d_pool_a, 0xff, pool_bytes));
    CHECK(cuMemsetD8(d_pool_b, 0xff, pool_bytes));

    unsigned int u_lists = (unsigned int)lists;
    unsigned int u_len = (unsigned int)len;
    void *link_params[] = { &d_pool_a, &d_pool_b, &per_pool, &d_values, &d_order, &u_lists, &u_len, &d_heads };
    CHECK(cuLaunchKernel(link, wl_blocks(nodes, BLOCK), 1, 1, BLOCK, 1, 1, 0, NULL, link_params, NULL));
    CHECK(cuCtxSynchronize());
    /* The order is not needed on the device any more: only the pointers hold the structure now. */
    CHECK(cuMemFree(d_order));
    printf("pointer_chase: %lld lists x %lld nodes over pools at 0x%llx and 0x%llx\n", lists, len,
           (unsigned long long)d_pool_a, (unsigned long long)d_pool_b);

    wl_ready_point(&common);

    int ok = 1;
    unsigned int max_hops = u_len + 1;
    unsigned long long added = 0; /* what every value has gained so far: 1 + 2 + ... + round */
    for (long long r = 1; r <= rounds && ok; r++) {
        unsigned int delta = (unsigned int)r;
        void *bump_params[] = { &d_values, &nodes, &delta };
        CHECK(cuLaunchKernel(bump, wl_blocks(nodes, BLOCK), 1, 1, BLOCK, 1, 1, 0, NULL, bump_params, NULL));
        void *walk_params[] = { &d_heads, &u_lists, &max_hops, &d_sums, &d_hops };
        CHECK(cuLaunchKernel(walk, wl_blocks((size_t)lists, BLOCK), 1, 1, BLOCK, 1, 1, 0, NULL, walk_params, NULL));
        CHECK(cuMemcpyDtoH(sums, d_sums, (size_t)lists * sizeof *sums));
        CHECK(cuMemcpyDtoH(hops, d_hops, (size_t)lists * sizeof *hops));
        added += (unsigned long long)r;
        for (long long l = 0; l < lists && ok; l++) {
            unsigned long long want = base_sums[l] + added * (unsigned long long)len;
            if (hops[l] != u_len || sums[l] != want) {
                fprintf(stderr, "pointer_chase: round %lld list %lld: %u hops, sum %llu; expected %u hops, sum %llu\n",
                        r, l, hops[l], sums[l], u_len, want);
                ok = 0;
            }
        }
        if (r % 10 == 0 || r == rounds) {
            printf("pointer_chase: round %lld/%lld %s\n", r, rounds, ok ? "ok" : "MISMATCH");
        }
    }

    if (ok) {
        CHECK(cuMemcpyDtoH(a_nodes, d_pool_a, pool_bytes));
        CHECK(cuMemcpyDtoH(b_nodes, d_pool_b, pool_bytes));
        CHECK(cuMemcpyDtoH(heads, d_heads, (size_t)lists * sizeof(uint64_t)));
        ok = check_links(a_nodes, b_nodes, heads, order, d_pool_a, d_pool_b, d_values, per_pool, u_lists, u_len);
        printf("pointer_chase: %u raw device pointers %s\n", nodes + u_lists, ok ? "all point where they should" : "WRONG");
    }

    CHECK(cuMemFree(d_pool_a));
    CHECK(cuMemFree(d_pool_b));
    CHECK(cuMemFree(d_values));
    CHECK(cuMemFree(d_heads));
    CHECK(cuMemFree(d_sums));
    CHECK(cuMemFree(d_hops));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    free(order);
    free(values);
    free(base_sums);
    free(sums);
    free(hops);
    free(a_nodes);
    free(b_nodes);
    free(heads);
    return wl_verdict(ok);
}
