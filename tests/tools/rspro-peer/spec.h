/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spec.h: turn "MSGNAME key=value ..." text into a struct rspro_msg, for the
 * scripted RSPRO test peer.  Keys: version tag type name software swversion
 * hwmanufacturer hwmodel hwserial hwversion fwversion bankid slots client=C:S
 * bank=B:S result ip port data atr rst vcc clk card flags sender severity
 * code text.  Unset fields get osmo-remsim's usual values. */
#ifndef RSPRO_PEER_SPEC_H
#define RSPRO_PEER_SPEC_H

#include "rspro.h"

/* 0 on success; -1 with a reason in err. */
int spec_build(const char *text, struct rspro_msg *m, char *err, size_t errlen);

#endif
