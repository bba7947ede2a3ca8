# SPDX-License-Identifier: MIT
# unotifyd: plain Makefile. `make demo` and `make check` install missing
# Debian packages first (make deps).

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DATADIR		?= $(PREFIX)/share/unotifyd
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
DESTDIR		?=

CC		?= cc
PKG_CONFIG	?= pkg-config
CFLAGS		?= -O2 -g
CPPFLAGS	?=
LDFLAGS		?=

PKGS		:= libseccomp inih json-c libsystemd
DEPS_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEPS_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lseccomp -linih -ljson-c -lsystemd)
# libev ships no .pc on Debian 12.
EV_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags libev 2>/dev/null)
EV_LIBS		:= $(shell $(PKG_CONFIG) --libs libev 2>/dev/null || echo -lev)
CRIT_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
CRIT_LIBS	:= $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

# supervisor/ in layers, each using only those below it: front/ (the command
# line, run, serve, exec), engine/ (the per-call path), rules/, then the
# shared helpers in supervisor/ itself and filters/. Includes name the
# header alone: each directory is on the include path.
SUP_DIRS	:= supervisor/front supervisor/engine supervisor/rules supervisor
override CFLAGS	+= -std=gnu11 -Wall -Wextra -D_GNU_SOURCE $(SUP_DIRS:%=-I%) -Ifilters \
		   $(DEPS_CFLAGS) $(EV_CFLAGS)
LIBS		:= $(DEPS_LIBS) $(EV_LIBS) -pthread

# Debian packages needed to build, test and read the docs.
DEB_PACKAGES	:= gcc make pkg-config libseccomp-dev libev-dev libinih-dev \
		   libcriterion-dev libjson-c-dev libsystemd-dev mandoc gcc-multilib \
		   python3 git systemd \
		   vim perl tar coreutils findutils sed proot liburing-dev

FILTER_SRCS	:= $(wildcard filters/*.c)
SUP_MAIN	:= supervisor/front/main.c
SUP_SRCS	:= $(filter-out $(SUP_MAIN),$(wildcard $(SUP_DIRS:%=%/*.c)))
LIB_OBJS	:= $(FILTER_SRCS:.c=.o) $(SUP_SRCS:.c=.o)
HEADERS		:= $(wildcard filters/*.h $(SUP_DIRS:%=%/*.h) tests/*.h)

TEST_SRCS	:= $(wildcard tests/*.c)
TARGET_SRCS	:= $(wildcard tests/targets/*.c)
# The machine CC builds for: 32-bit targets are its compat ABI's.
MACHINE		:= $(shell $(CC) -dumpmachine 2>/dev/null)
# On x86_64, targets also built for i386 (NAME-m32), to test 32-bit
# supervision; on aarch64, raw (libc-free) ones for ARM (NAME-arm32) with
# clang, when it and lld are there (Debian's arm32 gcc would need a sysroot).
M32_NAMES	:= try-path try-write
ARM32_NAMES	:= raw-static
ARM32_CC	?= clang --target=armv7a-linux-gnueabi -marm -fuse-ld=lld
COMPAT_TARGETS	:=
ifneq ($(filter x86_64-%,$(MACHINE)),)
COMPAT_TARGETS	+= $(M32_NAMES:%=tests/targets/%-m32)
endif
ifneq ($(filter aarch64-%,$(MACHINE)),)
ifneq ($(and $(shell command -v clang 2>/dev/null),$(shell command -v ld.lld 2>/dev/null)),)
COMPAT_TARGETS	+= $(ARM32_NAMES:%=tests/targets/%-arm32)
endif
endif
TARGETS		:= $(TARGET_SRCS:.c=) $(COMPAT_TARGETS)

all: unotifyd copycat

unotifyd: $(SUP_MAIN:.c=.o) $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

copycat: unotifyd
	ln -sf unotifyd $@

%.o: %.c $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

tests/run-tests: $(TEST_SRCS) $(LIB_OBJS) $(HEADERS)
	$(CC) $(CFLAGS) $(CRIT_CFLAGS) -Itests $(LDFLAGS) -o $@ \
	    $(TEST_SRCS) $(LIB_OBJS) $(LIBS) $(CRIT_LIBS) -lpthread

# Test targets: tiny programs that make syscalls and print what they got.
# raw-static is built without libc, try-path static (it also runs in a
# chroot with nothing else), uring-open with liburing; NAME-m32 is NAME.c
# for i386.
tests/targets/%: tests/targets/%.c $(wildcard tests/targets/*.h)
	$(CC) -O1 -g -Wall -Wextra -D_GNU_SOURCE $(TARGET_CFLAGS_$*) -o $@ $< -lpthread \
	    $(TARGET_LIBS_$*)

tests/targets/%-m32: tests/targets/%.c $(wildcard tests/targets/*.h)
	$(CC) -m32 -O1 -g -Wall -Wextra -D_GNU_SOURCE -o $@ $< -lpthread

tests/targets/%-arm32: tests/targets/%.c $(wildcard tests/targets/*.h)
	$(ARM32_CC) -O1 -g -Wall -Wextra $(TARGET_CFLAGS_$*) -o $@ $<

TARGET_CFLAGS_raw-static := -static -nostdlib -fno-stack-protector -fno-builtin
TARGET_CFLAGS_try-path := -static
TARGET_LIBS_uring-open := -luring

deps:
	@missing=; for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed$$' || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "make deps: installing$$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "make deps: run as root, or: sudo apt-get install$$missing" >&2; \
	    exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends --no-remove $$missing

demo: deps
	$(MAKE) all
	sh tests/demo.sh

check: deps
	$(MAKE) all tests/run-tests $(TARGETS)
	mandoc -Tlint -Werror man/unotifyd.8 man/unotifyd.rules.5
	./unotifyd check -r rules.d/
	./unotifyd check -r deploy/kubernetes/rules/
	$(MAKE) check-units check-deploy
	UNOTIFYD=$(CURDIR)/unotifyd TARGETS=$(CURDIR)/tests/targets \
	    tests/run-tests --jobs 2

# check-prometheus: the status tests with promtool, which lints
# `unotifyd status --prometheus` (make check skips that test without it).
# Debian's prometheus is not in DEB_PACKAGES: a 19 MB download, 96 MB
# installed, and on a booted system its package starts a server on :9090.
check-prometheus:
	$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) prometheus"
	$(MAKE) all tests/run-tests $(TARGETS)
	UNOTIFYD=$(CURDIR)/unotifyd TARGETS=$(CURDIR)/tests/targets \
	    tests/run-tests --jobs 2 --filter 'e2e_status/*'

# The units as installed: systemd-analyze verify clean, exposure <= 3.0.
check-units: unotifyd
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	sed 's|@BINDIR@|$(CURDIR)|' systemd/unotifyd.service >$$d/unotifyd.service && \
	cp systemd/unotifyd.socket $$d/ && \
	systemd-analyze verify --man=no $$d/unotifyd.service $$d/unotifyd.socket && \
	systemd-analyze security --offline=yes --threshold=30 \
	    $$d/unotifyd.service | tail -1

# deploy/kubernetes/: the generated ConfigMap and profiles match rules/ and
# this unotifyd (make deploy-examples rewrites them).
check-deploy: unotifyd
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	sh deploy/kubernetes/generate.sh ./unotifyd "$$d" && \
	for f in configmap.yaml seccomp/unotifyd.json \
	    seccomp/unotifyd-legacy.json; do \
	    diff -u deploy/kubernetes/$$f $$d/$$f || { \
	    echo "deploy/kubernetes/$$f is stale: make deploy-examples" >&2; \
	    exit 1; }; done

deploy-examples: unotifyd
	sh deploy/kubernetes/generate.sh ./unotifyd

# A minimal Debian booted with systemd-nspawn: socket activation, reload,
# restart without ENOSYS, security score. Root; not part of check.
check-systemd: deps
	$(MAKE) all
	sh tests/systemd/check-systemd.sh

# The real-tool tests (tests/test_e2e_tools.c) with their commands run
# under the references instead of unotifyd: proot -b for redirects, a
# read-only bind mount for the EROFS rule. Proves the tests' expectations.
# Root; not part of check.
check-tools-reference: deps
	$(MAKE) all tests/run-tests $(TARGETS)
	TOOLS_REFERENCE=1 UNOTIFYD=$(CURDIR)/unotifyd \
	    TARGETS=$(CURDIR)/tests/targets tests/run-tests --filter 'e2e_tools/*'

# Performance: not part of check. Writes BENCHMARKS.md (bench/README).
bench: deps
	$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) strace gnuplot-nox"
	$(MAKE) all
	sh bench/run.sh

# check-oci: unotifyd serve as the seccomp agent of runc and crun (root;
# installs them). Not part of check. tests/oci/README.
check-oci: all
	UNOTIFYD=$(CURDIR)/unotifyd sh tests/oci/check-oci.sh

# check-arm64: the suite cross-built for aarch64 and run in
# qemu-system-aarch64 (TCG) on Debian's arm64 kernel (root; installs what
# it needs, caches the arm64 tree in /var/tmp). Not part of check.
# tests/arm64/README.
check-arm64:
	sh tests/arm64/check-arm64.sh

# The test targets alone (check-arm64 cross-builds them).
targets: $(TARGETS)

# check-cri: unotifyd as a Kubernetes node's seccomp agent through real
# containerd's CRI (a small CRI client), ctr and podman (root; installs
# them). Not part of check. tests/cri/README.
check-cri: all
	UNOTIFYD=$(CURDIR)/unotifyd sh tests/cri/check-cri.sh

# deb: the Debian package (debian/), built into deb/ from a clean export
# of the working tree, so build outputs here are not packaged. Not root.
deb:
	$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) dpkg-dev debhelper fakeroot lintian"
	rm -rf deb && mkdir -p deb/src
	git ls-files -co --exclude-standard -z | \
	    xargs -0 sh -c 'for f; do [ -e "$$f" ] || [ -L "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	    tar --null -T - -cf - | tar -C deb/src -xf -
	cd deb/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error deb/*.changes

# Reliability targets (README: "More checks"): each stops by itself.
# check-asan check-tsan check-valgrind fuzz soak: see the section below.

# check-asan: unit and e2e tests, and the unotifyd they run, built with
# ASan+UBSan into build-asan/ (targets stay plain). Any report fails: the
# sanitizers halt, and their logs (build-asan/logs/) must hold no report.
ASAN_CC		?= $(CC)
ASAN_DIR	:= build-asan
ASAN_FLAGS	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
ASAN_LOGS	:= $(CURDIR)/$(ASAN_DIR)/logs
ASAN_ENV	:= ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$(ASAN_LOGS)/asan \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(ASAN_LOGS)/ubsan \
		   LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
ASAN_OBJS	:= $(addprefix $(ASAN_DIR)/,$(LIB_OBJS))

$(ASAN_DIR)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(ASAN_CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(ASAN_DIR)/unotifyd: $(ASAN_DIR)/$(SUP_MAIN:.c=.o) $(ASAN_OBJS)
	$(ASAN_CC) $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(ASAN_DIR)/run-tests: $(TEST_SRCS) $(ASAN_OBJS) $(HEADERS)
	$(ASAN_CC) $(CFLAGS) $(ASAN_FLAGS) $(CRIT_CFLAGS) -Itests $(LDFLAGS) \
	    -o $@ $(TEST_SRCS) $(ASAN_OBJS) $(LIBS) $(CRIT_LIBS) -lpthread

check-asan: deps
	$(MAKE) $(ASAN_DIR)/unotifyd $(ASAN_DIR)/run-tests $(TARGETS)
	rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS) && chmod 1777 $(ASAN_LOGS)
	$(ASAN_ENV) UNOTIFYD=$(CURDIR)/$(ASAN_DIR)/unotifyd \
	    TARGETS=$(CURDIR)/tests/targets \
	    $(ASAN_DIR)/run-tests --jobs 2; st=$$?; \
	reports=$$(grep -l -E 'ERROR: |runtime error' $(ASAN_LOGS)/* \
	    2>/dev/null); \
	if [ -n "$$reports" ]; then cat $$reports; \
	    echo "check-asan: sanitizer reports above" >&2; exit 1; fi; \
	exit $$st

# check-tsan: the same tests against an unotifyd built with ThreadSanitizer
# into build-tsan/ (its receiver and worker threads share the listener and
# the rules). Any report in build-tsan/logs/ fails. atexit_sleep_ms=0: by
# default TSan sleeps a second in every exit while another thread lives,
# and unotifyd's watcher of blocked calls (cancel.c) sleeps until needed.
TSAN_DIR	:= build-tsan
TSAN_FLAGS	:= -O1 -g -fsanitize=thread
TSAN_LOGS	:= $(CURDIR)/$(TSAN_DIR)/logs

$(TSAN_DIR)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TSAN_FLAGS) -c -o $@ $<

$(TSAN_DIR)/unotifyd: $(addprefix $(TSAN_DIR)/,$(SUP_MAIN:.c=.o) $(LIB_OBJS))
	$(CC) $(CFLAGS) $(TSAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

check-tsan: deps
	$(MAKE) $(TSAN_DIR)/unotifyd tests/run-tests $(TARGETS)
	rm -rf $(TSAN_LOGS) && mkdir -p $(TSAN_LOGS) && chmod 1777 $(TSAN_LOGS)
	TSAN_OPTIONS=log_path=$(TSAN_LOGS)/tsan:atexit_sleep_ms=0 \
	    UNOTIFYD=$(CURDIR)/$(TSAN_DIR)/unotifyd \
	    TARGETS=$(CURDIR)/tests/targets tests/run-tests --jobs 2; st=$$?; \
	reports=$$(grep -l ThreadSanitizer $(TSAN_LOGS)/* 2>/dev/null); \
	if [ -n "$$reports" ]; then cat $$reports; \
	    echo "check-tsan: data races above" >&2; exit 1; fi; \
	exit $$st

# check-valgrind: the same tests, with every unotifyd they start run by
# tests/valgrind/unotifyd.sh under memcheck (errors logged per unotifyd run
# to build-valgrind/logs/, which must stay empty). valgrind 3.19 lacks
# seccomp(2): tests/valgrind/shim.c makes it natively. The test runner and
# unotifyd are copied to build-valgrind/bin/ first, so a concurrent build
# cannot swap them mid-run. VALGRIND_SKIP: tests that are too slow under
# valgrind (they time out; see README "More checks").
VALGRIND	?= valgrind
VALGRIND_DIR	:= build-valgrind
VALGRIND_LOGS	:= $(CURDIR)/$(VALGRIND_DIR)/logs
VALGRIND_BIN	:= $(CURDIR)/$(VALGRIND_DIR)/bin
VALGRIND_FLAGS	:= --error-exitcode=99 --leak-check=full \
		   --errors-for-leak-kinds=definite,indirect \
		   --show-leak-kinds=definite,indirect --track-fds=no -q \
		   --suppressions=$(CURDIR)/tests/valgrind/memcheck.supp \
		   --log-file=$(VALGRIND_LOGS)/vg.%q{UNOTIFYD_VG_TAG}
VALGRIND_SKIP	:= e2e_paths/errno_every_call_and_form_i386 \
		   e2e_paths/errno_every_call_and_form_x86_64 \
		   e2e_paths/redirect_every_call_and_form_i386 \
		   e2e_paths/redirect_every_call_and_form_x86_64 \
		   e2e_open/verbose_logs_decisions_made_off_loop
VALGRIND_FILTER	:= $(if $(strip $(VALGRIND_SKIP)),--filter '!($(subst $(eval) ,|,$(strip $(VALGRIND_SKIP))))')

$(VALGRIND_DIR)/valgrind-shim.so: tests/valgrind/shim.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -D_GNU_SOURCE -shared -fPIC -o $@ $< -ldl

check-valgrind:
	$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) valgrind"
	$(MAKE) all tests/run-tests $(TARGETS) $(VALGRIND_DIR)/valgrind-shim.so
	rm -rf $(VALGRIND_LOGS) $(VALGRIND_BIN) && \
	    mkdir -p $(VALGRIND_LOGS) $(VALGRIND_BIN) && \
	    chmod 1777 $(VALGRIND_LOGS)
	cp unotifyd $(VALGRIND_BIN)/unotifyd.real
	ln -s unotifyd.real $(VALGRIND_BIN)/copycat
	cp tests/run-tests $(VALGRIND_BIN)/run-tests
	sed -e 's|@UNOTIFYD_REAL@|$(VALGRIND_BIN)/unotifyd.real|' \
	    -e 's|@UNOTIFYD_VG_SHIM@|$(CURDIR)/$(VALGRIND_DIR)/valgrind-shim.so|' \
	    -e 's|@UNOTIFYD_VG_LOGS@|$(VALGRIND_LOGS)/|' \
	    -e 's|@VALGRIND@|$(VALGRIND)|' \
	    -e 's|@VALGRIND_FLAGS@|$(VALGRIND_FLAGS)|' \
	    tests/valgrind/unotifyd.sh >$(VALGRIND_BIN)/unotifyd
	chmod 0755 $(VALGRIND_BIN)/unotifyd
	UNOTIFYD=$(VALGRIND_BIN)/unotifyd UNOTIFYD_UNDER_VALGRIND=1 \
	    TARGETS=$(CURDIR)/tests/targets \
	    $(VALGRIND_BIN)/run-tests --jobs 2 $(VALGRIND_FILTER); st=$$?; \
	if [ -n "$$(find $(VALGRIND_LOGS) -type f -size +0)" ]; then \
	    find $(VALGRIND_LOGS) -type f -size +0 -exec cat {} +; \
	    echo "check-valgrind: valgrind errors above" >&2; exit 1; fi; \
	exit $$st

# fuzz: libFuzzer harnesses (tests/fuzz/) over the parsers and matchers,
# FUZZ_SECONDS each, seeded from tests/fuzz/corpus/NAME/. New inputs go to
# build-fuzz/corpus/NAME/; a crash is saved as build-fuzz/crash-NAME-* and
# fails the target.
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_DIR	:= build-fuzz
FUZZ_NAMES	:= rules rulesdir path copycat expand oci handshake verdict status \
		   handover
FUZZ_FLAGS	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
FUZZ_OBJS	:= $(addprefix $(FUZZ_DIR)/,$(LIB_OBJS))
FUZZ_ENV	:= ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(FUZZ_DIR)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

# Objects reached only through the fuzz_% pattern are intermediate: keep them.
.SECONDARY: $(FUZZ_OBJS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS) $(HEADERS)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ \
	    $< $(FUZZ_OBJS) $(LIBS)

fuzz:
	$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) clang libclang-rt-14-dev"
	$(MAKE) $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$n || exit 1; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/crash-$$n- \
		$(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n \
		>$(FUZZ_DIR)/$$n.log 2>&1; st=$$?; \
	    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY)' \
		$(FUZZ_DIR)/$$n.log; \
	    if [ $$st -ne 0 ]; then tail -50 $(FUZZ_DIR)/$$n.log; \
		echo "fuzz: $$n failed (exit $$st), see $(FUZZ_DIR)/$$n.log" >&2; \
		exit 1; fi; \
	done

# fuzz-long: not part of check. Each harness until 10,000,000 executions
# or FUZZ_MINUTES (30) per harness, whichever comes first; its corpus is
# merged and minimised back into tests/fuzz/corpus/NAME (tests/fuzz/long.sh).
# Prints executions, coverage and the result per harness; any finding fails.
# FUZZ_JOBS harnesses (one per CPU) run at a time.
FUZZ_MINUTES	?= 30
FUZZ_RUNS	?= 10000000
FUZZ_JOBS	?= $(shell nproc)

fuzz-long:
	$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) clang libclang-rt-14-dev"
	$(MAKE) $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_NAMES="$(FUZZ_NAMES)" \
	    FUZZ_MINUTES=$(FUZZ_MINUTES) FUZZ_RUNS=$(FUZZ_RUNS) \
	    FUZZ_JOBS=$(FUZZ_JOBS) \
	    nice sh tests/fuzz/long.sh

# check-faults: not part of check. unotifyd serve and run with a fraction
# of their own malloc, open*, listener ioctl, process_vm_readv/writev,
# accept4, sendmsg/recvmsg calls failing (tests/faults/inject.c, preloaded
# into unotifyd only); tests/faults/check-faults.sh checks the invariants.
FAULTS_DIR	:= build-faults

$(FAULTS_DIR)/inject.so: tests/faults/inject.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -D_GNU_SOURCE -shared -fPIC -o $@ $< \
	    -ldl -lpthread

check-faults: deps
	$(MAKE) all tests/targets/try-path $(FAULTS_DIR)/inject.so
	UNOTIFYD=$(CURDIR)/unotifyd TRY=$(CURDIR)/tests/targets/try-path \
	    INJECT=$(CURDIR)/$(FAULTS_DIR)/inject.so \
	    sh tests/faults/check-faults.sh

# soak: 1,000,000 notified opens from 4 processes x 16 threads; unotifyd's
# fd count and RSS must be flat. Bounded by SOAK_SECONDS.
SOAK_NOTIFICATIONS ?= 1000000
SOAK_PROCS	?= 4
SOAK_THREADS	?= 16
SOAK_SECONDS	?= 900

soak: deps
	$(MAKE) all tests/targets/soak
	UNOTIFYD=$(CURDIR)/unotifyd SOAK=$(CURDIR)/tests/targets/soak \
	    SOAK_NOTIFICATIONS=$(SOAK_NOTIFICATIONS) SOAK_PROCS=$(SOAK_PROCS) \
	    SOAK_THREADS=$(SOAK_THREADS) SOAK_SECONDS=$(SOAK_SECONDS) \
	    sh tests/soak.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/rules.d
	install -m 0755 unotifyd $(DESTDIR)$(BINDIR)/unotifyd
	ln -sf unotifyd $(DESTDIR)$(BINDIR)/copycat
	install -m 0644 man/unotifyd.8 $(DESTDIR)$(MANDIR)/man8/unotifyd.8
	install -m 0644 man/unotifyd.rules.5 $(DESTDIR)$(MANDIR)/man5/unotifyd.rules.5
	install -m 0644 rules.d/*.ini $(DESTDIR)$(DATADIR)/rules.d/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|' systemd/unotifyd.service \
	    >$(DESTDIR)$(SYSTEMDUNITDIR)/unotifyd.service
	install -m 0644 systemd/unotifyd.socket $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 0644 systemd/unotifyd.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/unotifyd.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/unotifyd $(DESTDIR)$(BINDIR)/copycat \
	    $(DESTDIR)$(MANDIR)/man8/unotifyd.8 \
	    $(DESTDIR)$(MANDIR)/man5/unotifyd.rules.5 \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/unotifyd.service \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/unotifyd.socket \
	    $(DESTDIR)$(SYSUSERSDIR)/unotifyd.conf
	rm -rf $(DESTDIR)$(DATADIR)

format:
	clang-format -i $(SUP_DIRS:%=%/*.[ch]) filters/*.[ch] tests/*.[ch] tests/targets/*.c

clean:
	rm -f unotifyd copycat $(SUP_DIRS:%=%/*.o) filters/*.o tests/run-tests $(TARGETS) \
	    tests/targets/*-arm32
	rm -rf build-asan build-faults build-fuzz build-tsan build-valgrind bench/build deb

.PHONY: all deps demo check check-units check-systemd check-tools-reference bench \
	install uninstall format clean \
	check-asan check-tsan check-valgrind fuzz fuzz-long check-faults soak check-oci \
	check-prometheus check-arm64 targets check-cri deb check-deploy deploy-examples
