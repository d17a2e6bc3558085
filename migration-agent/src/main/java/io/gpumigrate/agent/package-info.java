/** The node agent: accepts clients' hellos, starts one session worker process per session, tracks and lists sessions. */
package io.gpumigrate.agent;
