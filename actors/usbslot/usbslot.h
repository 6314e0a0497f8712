/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usbslot.h: the client role's per-slot actor (one modem slot: one SIMtrace2
 * cardem interface, or the stdin/stdout shell).  Shared types of its parts:
 *   settings.c  options and role-config settings of one slot
 *   fsm.c       the client main FSM of client.md §4 (a state x event table)
 *   rconn.c     the two RSPRO connections (server, bankd): Connect*Req/Res,
 *               T1, identity check, dispatch of received PDUs, META state
 *   fe_st2.c    SIMtrace2 frontend over the transport seam (usb / sim)
 *   fe_shell.c  shell frontend (osmo-remsim-client-shell compatible)
 *   fe_ifd.c    PC/SC reader frontend for pcscd's libifd_remsim.so
 *   script.c    the event script (-e)
 *   main.c      actor set-up */
#ifndef USBSLOT_H
#define USBSLOT_H

#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "actor.h"
#include "slotstat.h"
#include "rspro.h"
#include "version.h"
#include "st2_usb.h"

#define USBSLOT_VERSION		remsim_version_short()	/* version.h */
#define USBSLOT_SOFTWARE	"remsim-client"
#define USBSLOT_ATR_MAX		55

/* ---- settings ------------------------------------------------------------ */

enum transport_kind { TR_USB, TR_SIM, TR_SHELL, TR_IFD };

struct settings {
	char server_host[256];
	int server_port;
	long client_id, slot_nr;
	uint8_t atr[USBSLOT_ATR_MAX];
	size_t atr_len;
	int atr_ignore_rspro;
	char event_script[1024];
	char hostname[33];
	int conn_res_timeout_ms;	/* T1 */
	int reopen_min_ms, reopen_max_ms;	/* board re-open back-off */
	enum transport_kind transport;
	char sim_path[256];		/* socket path of sim:PATH or ifd:PATH */
	/* USB selection; strings point into the storage below */
	struct st2_usb_sel usb;
	char usb_serial[128], usb_path[64];
	int usb_interface_given;
	int sim_presence;		/* -1: not sent, else 0/1 (-Z) */
};

/* Fill s from the role config (group "client", then "client.slots.[index]")
 * and then from the command line (argv after "--").  Returns 0, or -1 with a
 * message (file:line for config errors) in err. */
int settings_load(struct settings *s, const char *config, int index, int argc, char **argv,
		  char *err, size_t errlen);
extern const char usbslot_options_help[];
/* Parse "3b 00" / "3b00"; returns the length or -1. */
int parse_hex(const char *text, uint8_t *out, size_t max);

/* ---- RSPRO connections ----------------------------------------------------- */

/* names are those of osmo-remsim's RSPRO connection FSM (REMSIM_*_STATE) */
enum rconn_state { RC_INIT, RC_REESTABLISH, RC_ESTABLISHED, RC_CONNECTED };

struct rconn {
	const char *what;		/* "server" / "bankd" */
	char key[ENV_NAME_MAX];		/* OPEN key: "<actor name>:server" */
	char host[256];
	uint16_t port;
	long expect_type;		/* rspro_comp_type of the peer */
	uint32_t conn;			/* current connection id, 0 none */
	enum rconn_state st;
	int t1;				/* Connect*Res timer id, 0 none */
};

/* ---- main FSM ---------------------------------------------------------------- */

enum main_state { MS_INIT, MS_UNCONFIGURED, MS_WAIT_BANKD, MS_OPERATIONAL, MS__COUNT };

enum main_event {
	EV_SRV_CONNECTED, EV_SRV_LOST, EV_CONFIG_BANK,
	EV_BANKD_CONNECTED, EV_BANKD_LOST, EV_BANKD_TPDU, EV_BANKD_ATR, EV_BANKD_SLOT_STATUS,
	EV_MDM_STATUS, EV_MDM_PTS, EV_MDM_TPDU,
	EV__COUNT
};

/* event arguments (whichever apply) */
struct ev_args {
	const struct rspro_msg *msg;
	const uint8_t *data;
	size_t len;
	const struct rspro_phys_status *status;
};

/* ---- frontend ------------------------------------------------------------------ */

struct slot;
struct frontend_ops {
	const char *name;
	int (*start)(struct slot *s);
	void (*stop)(struct slot *s);
	void (*set_atr)(struct slot *s, const uint8_t *atr, size_t len);
	void (*card_insert)(struct slot *s, int insert);
	void (*sim_select)(struct slot *s, int remote);
	void (*modem_reset)(struct slot *s);
	void (*card2modem)(struct slot *s, const uint8_t *data, size_t len);
	/* extra REMSIM_* variables for the event script; returns count added */
	int (*script_env)(struct slot *s, char **env, int max);
};
extern const struct frontend_ops fe_st2_ops;
extern const struct frontend_ops fe_shell_ops;
extern const struct frontend_ops fe_ifd_ops;

/* ---- the slot ---------------------------------------------------------------- */

struct slot {
	struct actor *a;
	struct settings set;
	struct rspro_ident ident;
	struct rspro_client_slot cs;
	struct rspro_bank_slot bs;
	char bankd_ip[64];		/* "" before any ConfigClientBankReq */
	uint16_t bankd_port;
	int bank_configured;		/* a ConfigClientBankReq with port != 0 is in force */
	struct rconn srv, bkd;
	enum main_state ms;
	uint8_t atr[USBSLOT_ATR_MAX];	/* ATR presented to the modem */
	size_t atr_len;
	int bankd_atr_seen;		/* a SetAtrReq came on this bankd connection */
	int64_t mdm_reset_ms;		/* when the modem last reset the card (monotonic) */
	struct rspro_phys_status last_status;	/* last modem status (sent or not) */
	int have_status;
	struct rspro_phys_status sent_status;	/* last one sent on this bankd connection */
	int have_sent_status;
	const struct frontend_ops *fe;
	void *fe_priv;
	char ctx[48];			/* log context "C1:0 B2:3" */
	struct {
		unsigned long tpdu_tx, tpdu_rx, dropped, status_tx;
	} cnt;
	struct slotstat st;		/* `slot` answer: counters, round trips */
};

/* log context of the slot (client slot, and bank slot when configured) */
void slot_update_ctx(struct slot *s);
#define SCTX(s) ((s)->ctx)

/* fsm.c */
void fsm_event(struct slot *s, enum main_event ev, const struct ev_args *args);
const char *fsm_state_name(enum main_state st);
/* set the state without actions (restoring after a restart) */
void fsm_restore(struct slot *s, enum main_state st);
/* the frontend (re)opened: re-apply what OPERATIONAL means for the board */
void fsm_frontend_ready(struct slot *s);

/* rconn.c */
void rconn_init(struct slot *s);
void rconn_start(struct slot *s);	/* after restoring: OPEN the server (and bankd) */
void rconn_open_bankd(struct slot *s, int force_new);
void rconn_cancel_bankd(struct slot *s);
int rconn_send(struct slot *s, struct rconn *c, const struct rspro_msg *m);
void rconn_save_meta(struct slot *s);
const char *rconn_state_name(enum rconn_state st);
void rconn_on_up(struct actor *a, const struct actor_conn *c, int restored, void *ud);
void rconn_on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		   const char *reason, void *ud);
void rconn_on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud);

/* frontend -> core */
void slot_mdm_tpdu(struct slot *s, const uint8_t *apdu, size_t len);
void slot_mdm_status(struct slot *s, const struct rspro_phys_status *st);
void slot_mdm_pts(struct slot *s, const uint8_t *pts, size_t len);

/* script.c */
void script_run(struct slot *s, const char *cause);

/* hex for logs: "3b 00" into buf (truncated with "..") */
char *hexstr(const uint8_t *d, size_t n, char *buf, size_t len);

#endif
