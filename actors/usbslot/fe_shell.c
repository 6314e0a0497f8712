/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fe_shell.c: the shell frontend, compatible with osmo-remsim-client-shell
 * on stdin/stdout (client.md §9): one hex C-APDU per line (whitespace between
 * octets allowed), "RESET" (any case) for a modem reset; prints
 * "R-APDU: xx xx \n" and "SET_ATR: xx \n" (only for a SetAtrReq of the
 * bankd, not for the configured ATR presented when the slot becomes
 * OPERATIONAL), flushed per line.  C-APDUs of 1..RSPRO_DATA_MAX octets are
 * forwarded as they are.  Unlike
 * osmo-remsim, lines are buffered properly: CR, LF or CRLF end a line,
 * several lines may come in one read and a line may be split across reads.
 * EOF on stdin ends the actor with exit status 0.  Logs go to stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "hexstr.h"
#include "usbslot.h"

#define LINE_MAX_LEN 4096

struct fe_shell {
	char line[LINE_MAX_LEN + 1];
	size_t len;
	int overflow;
	int quiet_atr;		/* the next set_atr is the configured one (below) */
};

/* "LABEL xx xx ... \n" in one write (no printf per octet: this is on every
 * APDU's path) */
static void print_hex_line(const char *label, const uint8_t *d, size_t n)
{
	char buf[16 + 3 * 300 + 3];
	size_t l = strlen(label), k;
	if (n > 300)
		n = 300;
	memcpy(buf, label, l);
	k = l + strlen(hex_format_sep(d, n, " ", buf + l, sizeof(buf) - l - 2));
	if (n)
		buf[k++] = ' ';	/* each octet is followed by a space, as always */
	buf[k++] = '\n';
	fwrite(buf, 1, k, stdout);
	fflush(stdout);
}

static void do_line(struct slot *s, char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	size_t n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	if (!n)
		return;
	if (!strcasecmp(line, "RESET")) {
		/* modem reset: RST asserted, VCC and CLK off, card present */
		struct rspro_phys_status st = { .reset_active = true, .vcc_present = 0, .clk_active = 0,
						.card_present = 1 };
		LOGI(SCTX(s), "RESET from stdin");
		slot_mdm_status(s, &st);
		return;
	}
	uint8_t apdu[LINE_MAX_LEN / 2];	/* the slot checks the length */
	int len = parse_hex(line, apdu, sizeof(apdu));
	if (len <= 0) {
		fprintf(stderr, "ERROR parsing C-APDU '%s'!\n", line);
		return;
	}
	slot_mdm_tpdu(s, apdu, (size_t)len);
}

static void on_stdin(struct actor *a, int fd, void *arg)
{
	struct slot *s = arg;
	struct fe_shell *f = s->fe_priv;
	char buf[4096];
	ssize_t r = read(fd, buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (f->len && !f->overflow) {	/* a last line without terminator */
			f->line[f->len] = '\0';
			do_line(s, f->line);
		}
		LOGN(SCTX(s), "%s on stdin: exiting", r == 0 ? "EOF" : strerror(errno));
		actor_stop(a);
		return;
	}
	for (ssize_t i = 0; i < r; i++) {
		char c = buf[i];
		if (c == '\r' || c == '\n') {
			if (f->overflow)
				LOGE(SCTX(s), "input line longer than %d characters: ignored", LINE_MAX_LEN);
			else if (f->len) {
				f->line[f->len] = '\0';
				do_line(s, f->line);
			}
			f->len = 0;
			f->overflow = 0;
		} else if (f->len < LINE_MAX_LEN) {
			f->line[f->len++] = c;
		} else {
			f->overflow = 1;
		}
	}
}

static int shell_start(struct slot *s)
{
	struct fe_shell *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	s->fe_priv = f;
	if (actor_fd_add(s->a, STDIN_FILENO, ZMQ_POLLIN, on_stdin, s) < 0) {
		LOGE(SCTX(s), "cannot watch stdin");
		return -1;
	}
	return 0;
}

static void shell_stop(struct slot *s)
{
	if (!s->fe_priv)
		return;
	actor_fd_remove(s->a, STDIN_FILENO);
	free(s->fe_priv);
	s->fe_priv = NULL;
}

/* The slot machine presents the configured ATR right after selecting the
 * remote SIM (sim_select(1), then set_atr) when it becomes OPERATIONAL; a
 * board needs that, a shell user does not: only a bankd's SetAtrReq (set_atr
 * without a sim_select before it) is printed. */
static void shell_sim_select(struct slot *s, int remote)
{
	struct fe_shell *f = s->fe_priv;
	if (f)
		f->quiet_atr = remote;
}

static void shell_set_atr(struct slot *s, const uint8_t *atr, size_t len)
{
	struct fe_shell *f = s->fe_priv;
	if (f && f->quiet_atr) {
		f->quiet_atr = 0;
		LOGD(SCTX(s), "configured ATR (%zu octets) not printed: waiting for the bankd's", len);
		return;
	}
	print_hex_line("SET_ATR: ", atr, len);
}

static void shell_noop_int(struct slot *s, int x)
{
	(void)s;
	(void)x;
}

static void shell_noop(struct slot *s)
{
	(void)s;
}

static void shell_card2modem(struct slot *s, const uint8_t *data, size_t len)
{
	(void)s;
	print_hex_line("R-APDU: ", data, len);
}

const struct frontend_ops fe_shell_ops = {
	.name = "shell",
	.start = shell_start,
	.stop = shell_stop,
	.set_atr = shell_set_atr,
	.card_insert = shell_noop_int,
	.sim_select = shell_sim_select,
	.modem_reset = shell_noop,
	.card2modem = shell_card2modem,
	.script_env = NULL,
};
