/* Error names and descriptions, answered locally from errors.def. */
#include <stddef.h>

#include "gm.h"

static const struct {
    CUresult code;
    const char *name;
    const char *text;
} errors[] = {
#define GM_ERR(name, value, text) { name, #name, text },
#include "gpumigrate/errors.def"
#undef GM_ERR
};

static int find(CUresult code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return (int)i;
    return -1;
}

const char *gm_error_name(CUresult rc)
{
    int i = find(rc);
    return i >= 0 ? errors[i].name : "(unrecognized CUresult)";
}

CUresult cuGetErrorName(CUresult error, const char **pStr)
{
    if (pStr == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    int i = find(error);
    *pStr = i >= 0 ? errors[i].name : NULL;
    return i >= 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult error, const char **pStr)
{
    if (pStr == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    int i = find(error);
    *pStr = i >= 0 ? errors[i].text : NULL;
    return i >= 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
