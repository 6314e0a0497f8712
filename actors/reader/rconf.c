/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rconf.c: the reader actor's settings from the role file (docs/reader.md).
 *
 *   bankd  = { bank_id = 1; };
 *   reader = {
 *     name_pattern = "Virtual PCD 00 0@SLOT@";   # default regex, @SLOT@ = slot
 *     sharing = "exclusive";                     # or "shared"
 *     protocols = "any";                         # "t0", "t1" or "any"
 *     pcsc_socket = "";                          # PCSCLITE_CSOCK_NAME, @SLOT@ too
 *     poll_ms = 500; backoff_max_ms = 2000;
 *     gsmtap_host = ""; gsmtap_slot = -1;
 *     slots = ( { slot = 0; reader = "regex"; }, ... );   # per-slot overrides
 *   };
 * Every error names file:line (common/base/config.h). */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "reader.h"

/* Copy src to dst replacing every "@SLOT@" by the slot number. */
static int subst_slot(char *dst, size_t cap, const char *src, int slot)
{
	size_t n = 0;
	while (*src) {
		if (!strncmp(src, "@SLOT@", 6)) {
			int w = snprintf(dst + n, cap - n, "%d", slot);
			if (w < 0 || (size_t)w >= cap - n)
				return -1;
			n += (size_t)w;
			src += 6;
			continue;
		}
		if (n + 1 >= cap)
			return -1;
		dst[n++] = *src++;
	}
	dst[n] = '\0';
	return 0;
}

static int get_sharing(struct cfg *cf, const config_setting_t *base, int *shared)
{
	const char *s;
	int rc = cfg_get_string(cf, base, "sharing", NULL, 32, &s);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!strcmp(s, "exclusive"))
		*shared = 0;
	else if (!strcmp(s, "shared"))
		*shared = 1;
	else
		return cfg_fail(cf, cfg_lookup(cf, base, "sharing"),
				"'sharing' must be \"exclusive\" or \"shared\" (got \"%s\")", s);
	return 0;
}

static int get_protocols(struct cfg *cf, const config_setting_t *base, DWORD *p)
{
	const char *s;
	int rc = cfg_get_string(cf, base, "protocols", NULL, 32, &s);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!strcmp(s, "t0"))
		*p = SCARD_PROTOCOL_T0;
	else if (!strcmp(s, "t1"))
		*p = SCARD_PROTOCOL_T1;
	else if (!strcmp(s, "any"))
		*p = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
	else
		return cfg_fail(cf, cfg_lookup(cf, base, "protocols"),
				"'protocols' must be \"t0\", \"t1\" or \"any\" (got \"%s\")", s);
	return 0;
}

static int get_subst(struct cfg *cf, const config_setting_t *base, const char *key, int slot,
		     char *dst, size_t cap)
{
	const char *s;
	int rc = cfg_get_string(cf, base, key, NULL, cap - 1, &s);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (subst_slot(dst, cap, s, slot) < 0)
		return cfg_fail(cf, cfg_lookup(cf, base, key), "'%s' too long", key);
	return 0;
}

struct slot_arg {
	struct rdr_conf *c;
	int found;
};

/* One entry of reader.slots: validated whatever its slot; applied if it is
 * ours (first match wins, as osmo-remsim's CSV lookup). */
static int slot_entry(struct cfg *cf, config_setting_t *e, unsigned idx, void *arg)
{
	(void)idx;
	struct slot_arg *sa = arg;
	struct rdr_conf *c = sa->c;
	int slot, bank;
	const char *re;
	if (config_setting_type(e) != CONFIG_TYPE_GROUP)
		return cfg_fail(cf, e, "each entry of 'slots' must be a group { slot = N; reader = \"regex\"; }");
	static const char *const known[] = { "slot", "bank", "reader", "pcsc_socket", "sharing", "protocols", NULL };
	if (cfg_check_keys(cf, e, "a reader.slots entry", known))
		return -1;
	if (cfg_get_int(cf, e, "slot", -1, 0, RSPRO_SLOT_MAX, &slot) != 0)
		return slot < 0 ? cfg_fail(cf, e, "slot entry without 'slot'") : -1;
	if (cfg_get_int(cf, e, "bank", (int)c->bank_id, 0, RSPRO_SLOT_MAX, &bank) < 0)
		return -1;
	if (cfg_get_string(cf, e, "reader", NULL, sizeof(c->regex) - 1, &re) != 0)
		return cfg_fail(cf, e, "slot entry without 'reader' (an extended regex)");
	regex_t rx;
	int rrc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
	if (rrc != 0) {
		char msg[128];
		regerror(rrc, &rx, msg, sizeof(msg));
		return cfg_fail(cf, cfg_lookup(cf, e, "reader"), "invalid regex \"%s\": %s", re, msg);
	}
	regfree(&rx);
	if (sa->found || slot != c->slot || bank != c->bank_id)
		return 0;
	sa->found = 1;
	snprintf(c->regex, sizeof(c->regex), "%s", re);
	if (get_subst(cf, e, "pcsc_socket", c->slot, c->pcsc_socket, sizeof(c->pcsc_socket)) < 0 ||
	    get_sharing(cf, e, &c->shared) < 0 || get_protocols(cf, e, &c->protocols) < 0)
		return -1;
	return 0;
}

int rconf_load(struct rdr_conf *c, const char *path, int slot, char *err, size_t errlen)
{
	*c = (struct rdr_conf){ .slot = slot, .bank_id = 1,
				.protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
				.poll_ms = 500, .backoff_max_ms = 2000, .gsmtap_slot = -1 };
	if (!path)
		return 0;
	struct cfg *cf = cfg_load(path, err, errlen);
	if (!cf)
		return -1;
	int bank_id, poll, bmax;
	const char *gh;
	config_setting_t *r = cfg_lookup(cf, NULL, "reader");
	if (cfg_get_int(cf, NULL, "bankd.bank_id", 1, 0, RSPRO_SLOT_MAX, &bank_id) < 0)
		goto fail;
	c->bank_id = bank_id;
	if (r && config_setting_type(r) != CONFIG_TYPE_GROUP) {
		cfg_fail(cf, r, "'reader' must be a group");
		goto fail;
	}
	static const char *const known[] = { "name_pattern", "pcsc_socket", "sharing", "protocols",
		"poll_ms", "backoff_max_ms", "gsmtap_host", "gsmtap_slot", "slots", NULL };
	if (r) {
		if (cfg_check_keys(cf, r, "reader", known) < 0 ||
		    get_subst(cf, r, "name_pattern", slot, c->regex, sizeof(c->regex)) < 0 ||
		    get_subst(cf, r, "pcsc_socket", slot, c->pcsc_socket, sizeof(c->pcsc_socket)) < 0 ||
		    get_sharing(cf, r, &c->shared) < 0 || get_protocols(cf, r, &c->protocols) < 0 ||
		    cfg_get_int(cf, r, "poll_ms", 500, 20, 60000, &poll) < 0 ||
		    cfg_get_int(cf, r, "backoff_max_ms", 2000, 100, 600000, &bmax) < 0 ||
		    cfg_get_string(cf, r, "gsmtap_host", "", sizeof(c->gsmtap_host) - 1, &gh) < 0 ||
		    cfg_get_int(cf, r, "gsmtap_slot", -1, -1, RSPRO_SLOT_MAX, &c->gsmtap_slot) < 0)
			goto fail;
		c->poll_ms = (unsigned)poll;
		c->backoff_max_ms = (unsigned)bmax;
		snprintf(c->gsmtap_host, sizeof(c->gsmtap_host), "%s", gh);
		if (c->regex[0]) {
			regex_t rx;
			if (regcomp(&rx, c->regex, REG_EXTENDED | REG_NOSUB) != 0) {
				cfg_fail(cf, cfg_lookup(cf, r, "name_pattern"), "invalid regex \"%s\"", c->regex);
				goto fail;
			}
			regfree(&rx);
		}
		struct slot_arg sa = { .c = c };
		if (cfg_foreach(cf, r, "slots", slot_entry, &sa) != 0)
			goto fail;
	}
	cfg_free(&cf);
	return 0;
fail:
	snprintf(err, errlen, "%s", cfg_error(cf));
	cfg_free(&cf);
	return -1;
}
