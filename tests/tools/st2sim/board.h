/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board.h: the USB side of st2sim's simulated boards: which boards exist
 * (VID:PID, cardem interfaces), where the board sits on the bus (bus,
 * address, port path), the check of a host's CLAIM against it, and the
 * "bus" process of a multi-interface board, which hands every claimed
 * connection to the simulator process of that interface. */
#ifndef ST2SIM_BOARD_H
#define ST2SIM_BOARD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "st2_simsock.h"

struct board {
	const char *name;
	uint16_t vid, pid;
	int n_if;               /* cardem interfaces (= modem slots emulated) */
	int sim_slots;          /* physical SIM slots on the board */
	int modem_reset;        /* MODEM_RESET drives the modem's reset line */
	int card_insert;        /* CARDINSERT drives a card-presence output */
	const char *what;
};

struct board_at {
	const struct board *b;
	int bus, address;
	char path[64];
};

/* by name (simtrace2, qmod, owhw, ngff, qmod4); NULL if unknown */
const struct board *board_find(const char *name);
/* "simtrace2, qmod, ..." */
const char *board_names(void);

/* Check a CLAIM against the board; ST2_SIM_CLAIM_* and the reason in why. */
int board_check(const struct board_at *at, const struct st2_sim_claim *c, char *why, size_t len);

/* Answer a CLAIM on fd: status + text (the reason; on success the board's
 * port path). */
void board_answer(int fd, int status, const char *why);

/* Read one CLAIM frame from a fresh connection (waits at most 2 s);
 * 0 with *c filled, -1 otherwise. */
int board_read_claim(int fd, struct st2_sim_claim *c);

/* Accept a connection on lfd, read and check its CLAIM (busy[i]: interface
 * i is claimed already), answer it.  Returns the connection when claimed
 * (*iface = its interface), else -1 (refused and closed). */
int board_accept(const struct board_at *at, int lfd, const int *busy, int *iface);

/* The bus: fork one simulator process per interface.  In a child it
 * returns the interface number (0..n-1), with *bus_fd = its end of the
 * hand-over socket.  The parent accepts connections on lfd, checks their
 * CLAIMs (busy interfaces refused), passes each claimed connection to the
 * child of its interface, and returns BOARD_PARENT_DONE + the worst exit
 * status when all children have ended (SIGTERM: *stop). */
#define BOARD_PARENT_DONE 1000
int board_run(const struct board_at *at, int lfd, int *bus_fd, volatile sig_atomic_t *stop);

/* in a child: receive the next claimed connection (blocking); fd or -1 */
int board_recv_conn(int bus_fd);
/* in a child: tell the bus that the interface is free again */
void board_release(int bus_fd);

#endif
