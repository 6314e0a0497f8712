# SPDX-License-Identifier: GPL-2.0-or-later
# remsim top-level build.
#
# Layout conventions (adding a file never needs an edit here):
#   asn1/RSPRO.asn         -> asn1c at build time -> $(BUILD)/lib/librspro-asn1.a
#   common/DOMAIN/*.c      -> $(BUILD)/lib/libremsim.a (rspro, actor, st2, mapping, base)
#   actors/NAME/*.c        -> $(BUILD)/bin/NAME        (one program per folder)
#   tools/NAME/*.c         -> $(BUILD)/bin/NAME
#   tests/tools/NAME/*.c   -> $(BUILD)/tests/bin/NAME  (simulators, peers)
#   tests/unit/test_*.c    -> $(BUILD)/tests/test_*    (one unit test each)
#   tests/fuzz/fuzz_*.c    -> $(BUILD)/fuzz/fuzz_*     (libFuzzer, clang)
#   lib/ifd_remsim/*.c     -> $(BUILD)/lib/libifd_remsim.so (pcscd's reader driver)
#
# Targets: all (default), test, asan, fuzz, demo, bench, soak, clean.
# `make SAN=1 BUILD=build-asan` is the sanitizer build that `make asan` runs.

BUILD   ?= build
SAN     ?= 0
CC      ?= cc
PKGS    := libczmq libzmq libusb-1.0 libpcsclite libconfig sqlite3 libmicrohttpd jansson libsystemd

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT      ?= -O2
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASEFLAGS = -std=c11 -D_GNU_SOURCE -g $(OPT) -fno-omit-frame-pointer
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# asn1c's generated runtime has undefined behaviour we may not fix (shifts of
# negative values, memcpy from NULL with length 0); it gets ASan, not UBSan.
ASN1_SANFLAGS := -fsanitize=address
endif
ASN1_CFLAGS ?= $(CFLAGS)

ASN1_DIR  := $(BUILD)/asn1
ASN1_LIB  := $(BUILD)/lib/librspro-asn1.a
ASN1_STAMP := $(ASN1_DIR)/.generated
LIB       := $(BUILD)/lib/libremsim.a

COMMON_DIRS := $(patsubst %/,%,$(wildcard common/*/))
INCLUDES := $(addprefix -I,$(COMMON_DIRS)) -I$(ASN1_DIR) -I$(BUILD)/gen
CFLAGS_ALL = $(BASEFLAGS) $(WARN) $(SANFLAGS) $(INCLUDES) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)
LDLIBS_ALL = $(LIB) $(ASN1_LIB) $(PKG_LIBS) -lpthread -lm

COMMON_SRC := $(wildcard common/*/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)

PROG_DIRS  := $(wildcard actors/*/ tools/*/)
PROGS      := $(foreach d,$(PROG_DIRS),$(BUILD)/bin/$(notdir $(patsubst %/,%,$(d))))
TTOOL_DIRS := $(wildcard tests/tools/*/)
TTOOLS     := $(foreach d,$(TTOOL_DIRS),$(BUILD)/tests/bin/$(notdir $(patsubst %/,%,$(d))))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNITS      := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all test asan fuzz demo bench soak clean
.SECONDARY:
all: $(LIB) $(ASN1_LIB) $(PROGS) $(TTOOLS) $(UNITS)

# --- generated RSPRO codec ---------------------------------------------------
# asn1c writes into the current directory; the converter sample is not ours.
# Generated code is compiled without our warning set (it is not our code).
$(ASN1_STAMP): asn1/RSPRO.asn
	@rm -rf $(ASN1_DIR) && mkdir -p $(ASN1_DIR)
	@cd $(ASN1_DIR) && asn1c -fcompound-names -fincludes-quoted -fno-include-deps \
	    $(CURDIR)/asn1/RSPRO.asn >asn1c.log 2>&1 || { cat asn1c.log; exit 1; }
	@rm -f $(ASN1_DIR)/converter-sample.c $(ASN1_DIR)/Makefile.am.sample
	@touch $@
	@echo "  ASN1C   asn1/RSPRO.asn"

$(ASN1_LIB): $(ASN1_STAMP)
	@mkdir -p $(dir $@) $(ASN1_DIR)/obj
	@echo "  CC      $(ASN1_DIR)/*.c (generated)"
	@ls $(ASN1_DIR)/*.c | xargs -P 4 -I{} sh -c \
	  'o=$(ASN1_DIR)/obj/$$(basename {} .c).o; $(CC) -std=gnu11 -g $(OPT) $(ASN1_SANFLAGS) $(ASN1_CFLAGS) -w -I$(ASN1_DIR) -c {} -o $$o'
	@rm -f $@ && ar rcs $@ $(ASN1_DIR)/obj/*.o

# --- version: scripts/version.sh (git describe, else the VERSION file) -------
# Rewritten only when it changes; only common/base/version.c includes it.
VERSION_H := $(BUILD)/gen/remsim_version.h
.PHONY: FORCE
$(VERSION_H): FORCE
	@mkdir -p $(dir $@)
	@v=$$(scripts/version.sh); printf '#define REMSIM_VERSION_STRING "%s"\n' "$$v" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@ ($$v)"; fi
$(BUILD)/obj/common/base/version.o: $(VERSION_H)

# --- our code ---------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(ASN1_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

define prog_rule
$(2): $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard $(1)*.c)) $$(LIB) $$(ASN1_LIB)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	@$$(CC) $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $$(LDLIBS_ALL)
endef
$(foreach d,$(PROG_DIRS),$(eval $(call prog_rule,$(d),$(BUILD)/bin/$(notdir $(patsubst %/,%,$(d))))))
$(foreach d,$(TTOOL_DIRS),$(eval $(call prog_rule,$(d),$(BUILD)/tests/bin/$(notdir $(patsubst %/,%,$(d))))))

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIB) $(ASN1_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $< $(LDLIBS_ALL)

# pcscd's reader driver (docs/ifd.md): position-independent, only its IFDH*
# entry points exported, common/base/log.c (+ logmask, suggest, monotime, tmpdir) and the
# hub sockets (common/actor/hubsock.c, zmtp.c: its link to usbslot) compiled in again (libremsim.a is not
# -fPIC).  No sanitizers even with SAN=1: pcscd itself is not instrumented.
IFD_SRC := $(wildcard lib/ifd_remsim/*.c) common/base/log.c common/base/logmask.c common/base/suggest.c common/base/monotime.c common/base/tmpdir.c \
           common/actor/hubsock.c common/actor/zmtp.c
IFD_OBJ := $(IFD_SRC:%.c=$(BUILD)/pic/%.o)
IFD_LIB := $(BUILD)/lib/libifd_remsim.so
all: $(IFD_LIB)
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (-fPIC)"
	@$(CC) $(BASEFLAGS) $(WARN) -fPIC -fvisibility=hidden $(addprefix -I,$(COMMON_DIRS)) $(shell pkg-config --cflags libpcsclite libzmq libconfig) $(CFLAGS) -MMD -MP -c $< -o $@
$(IFD_LIB): $(IFD_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -shared -Wl,-z,defs -o $@ $^ $(shell pkg-config --libs libconfig) -lpthread

# fuzz targets double as corpus replayers in `make test` (no clang needed)
FUZZ_REPLAYS := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/%)
all: $(FUZZ_REPLAYS)
$(BUILD)/tests/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay_main.o $(LIB) $(ASN1_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LDLIBS_ALL)

-include $(shell find $(BUILD)/obj $(BUILD)/pic -name '*.d' 2>/dev/null)

# --- checks -----------------------------------------------------------------
test: all
	@BUILD=$(BUILD) tests/run.sh

asan:
	@$(MAKE) --no-print-directory SAN=1 BUILD=build-asan OPT=-O1 test

# libFuzzer needs clang; the corpus lives in tests/fuzz/corpus/NAME/.
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 60
fuzz:
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) OPT=-O1 \
	    CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" ASN1_CFLAGS="-fsanitize=fuzzer-no-link,address" \
	    $(FUZZ_BUILD)/lib/libremsim.a $(FUZZ_BUILD)/lib/librspro-asn1.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "  FUZZ    $$n ($(FUZZ_SECONDS) s)"; \
	  clang $(BASEFLAGS) $(WARN) $(addprefix -I,$(COMMON_DIRS)) -I$(FUZZ_BUILD)/asn1 -fsanitize=fuzzer,address,undefined \
	    $$f -o $(FUZZ_BUILD)/$$n $(FUZZ_BUILD)/lib/libremsim.a $(FUZZ_BUILD)/lib/librspro-asn1.a $(PKG_LIBS) || exit 1; \
	  mkdir -p tests/fuzz/corpus/$${n#fuzz_} $(FUZZ_BUILD)/corpus-$${n#fuzz_}; \
	  $(FUZZ_BUILD)/$$n -max_total_time=$(FUZZ_SECONDS) -timeout=5 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/ \
	    $(FUZZ_BUILD)/corpus-$${n#fuzz_} tests/fuzz/corpus/$${n#fuzz_} 2>&1 | tail -n 12 || exit 1; \
	done

demo:
	@scripts/demo.sh

bench: all
	@scripts/bench.sh

# the long run of issue 14 (4 slots, whole system); a benchmark, not a test
soak: all
	@bash tests/bench/soak.sh

clean:
	rm -rf build build-asan build-fuzz

# --- install (docs/install.md) ----------------------------------------------
# `make install PREFIX=/usr DESTDIR=/tmp/root`.  Launchers, remsimd and the
# operator tools go to bin/, the actor programs to libexec/remsim/ (the
# launchers and remsimd find them there, common/actor/progdir.c), pcscd's reader
# driver to pcscd's serial driver folder, units, sysusers.d and udev files
# under lib/ (SYSTEMDUNITDIR etc. to override), the REST dashboard's files
# (actors/rest/www, when present) to share/remsim/www, example configs and
# /etc/default files under share/doc/remsim/examples (debian/ puts them in
# /etc).
PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
LIBEXECDIR    ?= $(PREFIX)/libexec/remsim
DATADIR       ?= $(PREFIX)/share
DOCDIR        ?= $(DATADIR)/doc/remsim
MANDIR        ?= $(DATADIR)/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR   ?= $(PREFIX)/lib/sysusers.d
UDEVRULESDIR  ?= $(PREFIX)/lib/udev/rules.d
IFDDIR        ?= $(shell pkg-config --variable=usbdropdir libpcsclite 2>/dev/null || echo /usr/lib/pcsc/drivers)/serial
INSTALL       ?= install
USER_PROGS    := remsim-server remsim-bankd remsim-client remsim-client-shell remsimd remsim-ctl rspro-dump
ACTOR_PROGS   := $(filter-out $(USER_PROGS),$(notdir $(PROGS)))
MAN_PAGES     := $(wildcard docs/man/*.[18])
UNITS_SRC     := $(wildcard etc/systemd/*.service)
WWW_FILES     := $(wildcard actors/rest/www/*)

.PHONY: install
install: $(PROGS) $(IFD_LIB)
	@echo "  INSTALL $(DESTDIR)$(PREFIX)"
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(IFDDIR) \
	  $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(UDEVRULESDIR)
	$(INSTALL) -m 0755 $(addprefix $(BUILD)/bin/,$(USER_PROGS)) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0755 $(addprefix $(BUILD)/bin/,$(ACTOR_PROGS)) $(DESTDIR)$(LIBEXECDIR)/
	$(INSTALL) -m 0644 $(IFD_LIB) $(DESTDIR)$(IFDDIR)/
	$(INSTALL) -d $(DESTDIR)$(DOCDIR)/examples/default $(DESTDIR)$(DOCDIR)/examples/reader.conf.d
	$(INSTALL) -m 0644 etc/*.cfg $(DESTDIR)$(DOCDIR)/examples/
	$(INSTALL) -m 0644 etc/default/* $(DESTDIR)$(DOCDIR)/examples/default/
	$(INSTALL) -m 0644 etc/reader.conf.d/remsim $(DESTDIR)$(DOCDIR)/examples/reader.conf.d/
	$(INSTALL) -m 0644 README.md LICENSE $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/
	for u in $(UNITS_SRC); do sed -e 's|/usr/bin/|$(BINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
	  chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); done
	$(INSTALL) -m 0644 etc/sysusers.d/remsim.conf $(DESTDIR)$(SYSUSERSDIR)/remsim.conf
	$(INSTALL) -m 0644 etc/udev/60-remsim.rules $(DESTDIR)$(UDEVRULESDIR)/60-remsim.rules
	$(if $(WWW_FILES),$(INSTALL) -d $(DESTDIR)$(DATADIR)/remsim/www && \
	  $(INSTALL) -m 0644 $(WWW_FILES) $(DESTDIR)$(DATADIR)/remsim/www/)
