/*
 * Opening a session: HELLO to the agent, then ATTACH to the worker it names, then the
 * device's properties; or, when GPUMIGRATE_SESSION names an existing session, SESSION_LOCATE
 * to the agent instead of HELLO, and calls numbered on from the worker's lastApplied.
 * Called once, by cuInit, under its lock.
 */
#ifndef GM_SESSION_H
#define GM_SESSION_H

#include "gm.h"

#define GM_DEFAULT_AGENT "127.0.0.1:7717"

/**
 * Connects the session and fills props. On failure returns the CUresult cuInit reports
 * (CUDA_ERROR_NO_DEVICE when the agent or worker cannot be reached, the agent's status when
 * it refuses) after printing one line that names the address.
 */
CUresult gm_session_open(struct gm_device_props *props);

/** Splits "host:port" or "[v6]:port"; returns 0, or -1 with a reason in err. */
int gm_parse_address(const char *text, char *host, size_t host_len, uint16_t *port, char *err, size_t err_len);

#endif
