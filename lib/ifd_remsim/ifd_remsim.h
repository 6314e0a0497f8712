/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ifd_remsim.h: pcscd's reader driver for a remote SIM (docs/ifd.md).  The
 * driver is thin: it holds one ZeroMQ REQ socket per reader to the `ifd`
 * frontend of a usbslot actor (client role) and never speaks RSPRO itself.
 *   ifd.c      the IFDH* entry points pcscd calls, one channel per Lun
 *   target.c   DEVICENAME -> socket path, run dir and how to start the role
 *   link.c     request/reply with a time bound over the REQ socket
 *   spawn.c    starting the client role (detached from pcscd) on first use */
#ifndef IFD_REMSIM_H
#define IFD_REMSIM_H

#include <stddef.h>
#include <stdint.h>

#define IFD_PATH_MAX 512
#define IFD_ARGS_MAX 16

/* where a reader's client role is, and how to start it */
struct ifd_target {
	char sock_path[IFD_PATH_MAX];	/* ipc socket of the ifd frontend */
	char run_dir[IFD_PATH_MAX];	/* the role's run dir ("" unknown) */
	char config[IFD_PATH_MAX];	/* the role config ("" for the osmo form) */
	long client_id, slot_nr;
	char server_host[256];
	int server_port;
};

/* Parse DEVICENAME: "[ClientID[:SlotNr[:ServerIp[:ServerPort]]]]" or the
 * path of a remsim client role config.  0, or -1 with a message in err. */
int ifd_target_parse(const char *devname, struct ifd_target *t, char *err, size_t errlen);

/* Is anything serving path?  1 yes, 0 no (ENOENT / ECONNREFUSED). */
int ifd_unix_alive(const char *path);
/* Start the client role for t, detached (double fork, new session, fds
 * closed, output into RUN_DIR/client.log).  0 if the start was begun. */
int ifd_spawn_role(const struct ifd_target *t, const char *ctx);

struct ifd_link;
struct ifd_link *ifd_link_open(const char *sock_path, const char *ctx);
void ifd_link_close(struct ifd_link **l);
/* Send req and wait up to timeout_ms for the reply.  Returns its length,
 * or -1 (timeout or error; logged once per change of the link's health
 * when quiet, else always; a reply longer than max is an error). */
int ifd_link_ask(struct ifd_link *l, const uint8_t *req, size_t len, uint8_t *rep, size_t max,
		 int timeout_ms, int quiet);

#endif
