# libxdpsock, xdpbridge and tools.  `make`, `make check`, `make install PREFIX=... DESTDIR=...`, V=1 for commands.
# The version is the header's (XDPSOCK_VERSION_* in include/xdpsock/xdpsock.h): one source.
VERSION    := $(shell sed -n 's/^\#define XDPSOCK_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' \
		include/xdpsock/xdpsock.h | paste -sd.)
SOVERSION  := 0

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=
O          ?= build

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
AR      ?= ar

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

CFLAGS  ?= -O2 -g
XCFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -D_GNU_SOURCE -Iinclude -I$(O) -fPIC -fvisibility=hidden
XLDLIBS := -lbpf -lelf -lz -lpthread
ifeq ($(SANITIZE),1)
XCFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
SKEL     := $(O)/xsk_redirect.skel.h
SOLIB    := $(O)/libxdpsock.so.$(VERSION)
ALIB     := $(O)/libxdpsock.a

EXAMPLES := $(patsubst examples/%.c,$(O)/bin/%,$(wildcard examples/*.c))

# Programs: every .c of a program's folder; its unit tests (tests/unit/test_<prog>_*.c) link all but main.c.
XDPLAB_SRCS  := $(wildcard tools/xdplab/*.c)
XDPLAB_LIB   := $(filter-out %/main.c,$(XDPLAB_SRCS))
XDPGEN_SRCS  := $(wildcard tools/xdpgen/*.c)
XDPGEN_LIB   := $(filter-out %/main.c,$(XDPGEN_SRCS))
XDPGEN_SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(wildcard bpf/xdpgen_*.bpf.c))
BRIDGE_SRCS  := $(wildcard bridge/*.c)
BRIDGE_LIB   := $(filter-out %/main.c,$(BRIDGE_SRCS))
BRIDGE_SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(wildcard bpf/xdpbridge_*.bpf.c))
NL_CFLAGS    := $(shell pkg-config --cflags libnl-3.0 libnl-route-3.0 2>/dev/null)
NL_LIBS      := $(shell pkg-config --libs libnl-route-3.0 libnl-3.0 2>/dev/null)
PROGS        := $(if $(XDPLAB_SRCS),$(O)/bin/xdplab) $(if $(BRIDGE_SRCS),$(O)/bin/xdpbridge) \
                $(if $(XDPGEN_SRCS),$(O)/bin/xdpgen)
FUZZ         := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 15
FUZZ_ONLY    ?=
FUZZ_RUN     := $(if $(FUZZ_ONLY),$(filter $(addprefix %/,$(FUZZ_ONLY)),$(FUZZ)),$(FUZZ))
UNIT     := $(patsubst tests/unit/%.c,$(O)/tests/%,$(wildcard tests/unit/test_*.c))
INTEG    := $(patsubst tests/integ/%.c,$(O)/tests/%,$(wildcard tests/integ/it_*.c)) \
            $(patsubst tests/integ/%.sh,$(O)/tests/%,$(wildcard tests/integ/it_*.sh))
TESTLIB  := $(filter-out tests/integ/it_%.c,$(wildcard tests/integ/*.c))
DOUBLE_SRCS := $(wildcard tests/double/*.c)
DOUBLE   := $(DOUBLE_SRCS) $(wildcard tests/double/*.h)
BENCH    := $(patsubst tests/bench/%.c,$(O)/bench/%,$(wildcard tests/bench/*.c))

.PHONY: all lib tests check check-one fuzz fuzz-long install uninstall deps demo bench soak deb clean
.SECONDARY:

# Man pages, each made from its docs/ counterpart (tools/man.sh): PAGE.SECTION from docs/PAGE.md.
MAN_PAGES := xdpbridge.8 xdplab.8 xdpgen.8 xdpsock-echo.1 xdpsock-ping.1 libxdpsock.3
MAN      := $(addprefix $(O)/man/,$(MAN_PAGES))

all: lib $(EXAMPLES) $(PROGS) $(MAN)

$(O)/man/%: tools/man.sh
	@mkdir -p $(@D)
	$(call msg,MAN,$@)
	$(Q)tools/man.sh docs/$(basename $*).md $(subst .,,$(suffix $*)) $(VERSION) > $@.tmp && mv $@.tmp $@

# Each page depends on its doc.
$(foreach p,$(MAN_PAGES),$(eval $(O)/man/$(p): docs/$(basename $(p)).md))
lib: $(SOLIB) $(O)/libxdpsock.so $(ALIB)

$(O)/bpf/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -O2 -g -Wall -Werror -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

# The skeleton's name prefixes its functions: xdpsock_redirect__open() for bpf/xsk_redirect.bpf.c.
SKEL_NAME_xsk_redirect := xdpsock_redirect
$(O)/bpf/xdpbridge_steer.bpf.o: bpf/xdpbridge_steer.h

$(O)/%.skel.h: $(O)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(or $(SKEL_NAME_$*),$*) > $@.tmp && mv $@.tmp $@

$(O)/lib/%.o: lib/%.c lib/internal.h $(wildcard include/xdpsock/*.h) $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(XCFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(SOLIB): $(LIB_OBJS) lib/libxdpsock.map
	$(call msg,LD,$@)
	$(Q)$(CC) -shared $(LDFLAGS) -Wl,-soname,libxdpsock.so.$(SOVERSION) -Wl,--version-script=lib/libxdpsock.map \
		-o $@ $(LIB_OBJS) $(XLDLIBS)

$(O)/libxdpsock.so: $(SOLIB)
	$(Q)ln -sf libxdpsock.so.$(VERSION) $(O)/libxdpsock.so.$(SOVERSION) && ln -sf libxdpsock.so.$(SOVERSION) $@

$(ALIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^


# Programs link the static archive: they run from the build tree without LD_LIBRARY_PATH.
$(O)/bin/%: examples/%.c $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ $(ALIB) $(XLDLIBS)

$(O)/bin/xdplab: $(XDPLAB_SRCS) $(wildcard tools/xdplab/*.h) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) $(NL_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(XDPLAB_SRCS) -o $@ $(ALIB) $(NL_LIBS) $(XLDLIBS)

$(O)/bin/xdpgen: $(XDPGEN_SRCS) $(wildcard tools/xdpgen/*.h) $(XDPGEN_SKELS) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(XDPGEN_SRCS) -o $@ $(ALIB) $(XLDLIBS) -lm

$(O)/tests/test_xdpgen_%: tests/unit/test_xdpgen_%.c $(XDPGEN_LIB) $(wildcard tools/xdpgen/*.h) $(XDPGEN_SKELS) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Itools/xdpgen $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(XDPGEN_LIB) -o $@ $(ALIB) $(XLDLIBS) -lm -lcmocka

$(O)/bin/xdpbridge: $(BRIDGE_SRCS) $(wildcard bridge/*.h) $(BRIDGE_SKELS) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(BRIDGE_SRCS) -o $@ $(ALIB) -lmnl -lcap $(XLDLIBS)

$(O)/tests/test_xdplab_%: tests/unit/test_xdplab_%.c $(XDPLAB_LIB) $(wildcard tools/xdplab/*.h) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Itools/xdplab $(NL_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(XDPLAB_LIB) -o $@ $(ALIB) $(NL_LIBS) $(XLDLIBS) -lcmocka

$(O)/tests/test_bridge_%: tests/unit/test_bridge_%.c $(BRIDGE_LIB) $(wildcard bridge/*.h tests/unit/*.h) $(BRIDGE_SKELS) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Ibridge $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(BRIDGE_LIB) -o $@ $(ALIB) -lmnl -lcap $(XLDLIBS) -lcmocka

# libFuzzer targets (clang): fuzz_xdplab_* link the lab's sources, fuzz_bridge_* the bridge's, fuzz_xdpgen_* xdpgen's.
$(O)/fuzz/fuzz_xdplab_%: tests/fuzz/fuzz_xdplab_%.c $(XDPLAB_LIB) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Itools/xdplab $(NL_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(XDPLAB_LIB) -o $@ $(NL_LIBS) -lbpf

$(O)/fuzz/fuzz_bridge_%: tests/fuzz/fuzz_bridge_%.c $(wildcard tests/fuzz/*.h tests/unit/*.h) $(BRIDGE_LIB) $(BRIDGE_SKELS) $(SKEL) \
			  $(LIB_SRCS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -I$(O) -Ibridge -fsanitize=fuzzer,address,undefined $< $(BRIDGE_LIB) $(LIB_SRCS) -o $@ -lmnl -lcap $(XLDLIBS)

$(O)/fuzz/fuzz_xdpgen_%: tests/fuzz/fuzz_xdpgen_%.c $(wildcard tests/fuzz/*.h) $(XDPGEN_LIB) $(wildcard tools/xdpgen/*.h) \
			  $(XDPGEN_SKELS) $(SKEL) $(LIB_SRCS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -I$(O) -Itools/xdpgen -fsanitize=fuzzer,address,undefined $< $(XDPGEN_LIB) $(LIB_SRCS) -o $@ $(XLDLIBS) -lm

# The library's own unit tests get the test double (tests/double/): it is never in libxdpsock.
$(O)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(DOUBLE) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Ilib -Itests/double $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(DOUBLE_SRCS) -o $@ $(ALIB) $(XLDLIBS) -lcmocka

# Integration tests of the bridge may call its modules directly.
$(O)/tests/it_bridge_%: tests/integ/it_bridge_%.c $(TESTLIB) tests/integ/lab.h $(BRIDGE_LIB) $(BRIDGE_SKELS) $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Ilib -Ibridge $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(TESTLIB) $(BRIDGE_LIB) -o $@ $(ALIB) -lmnl $(XLDLIBS) -lcap

$(O)/tests/it_%: tests/integ/it_%.c $(TESTLIB) tests/integ/lab.h $(ALIB)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Ilib $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(TESTLIB) -o $@ $(ALIB) $(XLDLIBS) -lcap

# Script tests find the programs under $$XDPSOCK_BUILD/bin (set by tests/run.sh) and source the shell test
# library from their own folder (not executable: the runner runs it_* only).
$(O)/tests/it_%: tests/integ/it_%.sh $(O)/tests/lib.sh
	@mkdir -p $(@D)
	$(Q)install -m 755 $< $@

$(O)/tests/lib.sh: tests/integ/lib.sh
	@mkdir -p $(@D)
	$(Q)install -m 644 $< $@

$(O)/bench/%: tests/bench/%.c $(ALIB) $(wildcard tests/bench/*.h) $(DOUBLE)
	@mkdir -p $(@D)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(XCFLAGS) -Ilib -Itests/double $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(DOUBLE_SRCS) -o $@ $(ALIB) $(XLDLIBS)

tests: all $(UNIT) $(INTEG)

# Each fuzz target runs for FUZZ_SECONDS from its seeds (tests/fuzz/corpus/<name>/, tests/fuzz/mkseeds.py) and
# what earlier runs kept ($(O)/fuzz/corpus-<name>/); a crash leaves its input as $(O)/fuzz/<name>-crash-* and the
# end of the log on the terminal.  `make fuzz-long FUZZ_SECONDS=N [FUZZ_ONLY="name ..."]`: longer runs (600 s each
# by default), each followed by libFuzzer's final numbers.
define fuzz_run
	$(Q)for f in $(FUZZ_RUN); do n=$$(basename $$f); l=$(O)/fuzz/$$n.log; mkdir -p $(O)/fuzz/corpus-$$n; \
		echo "  FUZZ     $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 -artifact_prefix=$(O)/fuzz/$$n- \
			$(O)/fuzz/corpus-$$n $$( [ -d tests/fuzz/corpus/$$n ] && echo tests/fuzz/corpus/$$n ) > $$l 2>&1 \
			|| { tail -n 30 $$l; exit 1; }; \
		$(if $(1),printf '           %s  execs/s %s  runs %s  corpus %s\n' \
			"$$(sed -n 's/.*DONE *\(cov: [0-9]* ft: [0-9]*\).*/\1/p' $$l)" \
			"$$(awk '/average_exec_per_sec/ { print $$2 }' $$l)" \
			"$$(awk '/number_of_executed_units/ { print $$2 }' $$l)" \
			"$$(sed -n 's/.*DONE .*corp: \([^ ]*\).*/\1/p' $$l)";) \
	done
endef

fuzz: $(FUZZ_RUN)
	$(call fuzz_run,)

fuzz-long: FUZZ_SECONDS = 600
fuzz-long: $(FUZZ_RUN)
	$(call fuzz_run,stats)

# The whole suite, again under AddressSanitizer + UBSan, and the installed-library check.
check: tests
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan SANITIZE=1 tests
	$(Q)tests/run.sh $(O) $(O)/asan

check-one: tests
	$(Q)tests/run.sh $(O)

bench: all $(BENCH) $(O)/bpf/xdp_devmap_redirect.bpf.o
	$(Q)tests/bench/run.sh $(O)

# Long-run check of xdpbridge (root, minutes; not in check): 10^7 frames through fwd and each way through tun,
# none lost; RSS, fds and mappings flat; report in $(O)/soak/report.txt.  SOAK_FRAMES=N etc.: tests/soak/soak.sh.
soak: all
	$(Q)tests/soak/soak.sh $(O)

demo: all
	$(Q)tools/demo.sh $(O)

deps:
	$(Q)tools/deps.sh

# Debian packages (libxdpsock0, libxdpsock-dev, xdpsock-tools) into $(O)/deb/, built from a copy of
# the tracked files so that the tree and its build/ stay as they are.
deb:
	$(Q)rm -rf $(O)/deb && mkdir -p $(O)/deb/src
	$(Q)git ls-files -z | xargs -0 tar -c | tar -x -C $(O)/deb/src
	$(Q)cd $(O)/deb/src && dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || { tail -n 40 ../build.log; exit 1; }
	$(Q)ls $(O)/deb/*.deb

install: lib $(EXAMPLES) $(PROGS) $(MAN)
	install -d $(DESTDIR)$(INCLUDEDIR)/xdpsock $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR)
	install -m 644 include/xdpsock/*.h $(DESTDIR)$(INCLUDEDIR)/xdpsock/
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libxdpsock.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libxdpsock.so.$(SOVERSION)
	ln -sf libxdpsock.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libxdpsock.so
	install -m 644 $(ALIB) $(DESTDIR)$(LIBDIR)/
	@# Written here, not at build time: PREFIX and LIBDIR are the ones given to 'make install'.
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' lib/xdpsock.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/xdpsock.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/xdpsock.pc
	$(if $(EXAMPLES)$(PROGS),install -m 755 $(EXAMPLES) $(PROGS) $(DESTDIR)$(BINDIR)/)
	for p in $(MAN); do s=$${p##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && install -m 644 $$p $(DESTDIR)$(MANDIR)/man$$s/; done
	@# bash-completion loads a completion by the command's name: one copy per program.
	install -d $(DESTDIR)$(BASHCOMPDIR)
	for b in xdpbridge xdplab xdpgen; do install -m 644 completions/xdpsock.bash $(DESTDIR)$(BASHCOMPDIR)/$$b; done

uninstall:
	rm -rf $(DESTDIR)$(INCLUDEDIR)/xdpsock
	rm -f $(DESTDIR)$(LIBDIR)/libxdpsock.* $(DESTDIR)$(LIBDIR)/pkgconfig/xdpsock.pc
	rm -f $(patsubst $(O)/bin/%,$(DESTDIR)$(BINDIR)/%,$(EXAMPLES) $(PROGS))
	for p in $(MAN_PAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; done
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,xdpbridge xdplab xdpgen)

clean:
	rm -rf $(O)
