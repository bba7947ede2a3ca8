# SPDX-License-Identifier: MIT
# unotifyd: plain Makefile. `make demo` and `make check` install missing
# Debian packages first (make deps).

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DATADIR		?= $(PREFIX)/share/unotifyd
DESTDIR		?=

CC		?= cc
PKG_CONFIG	?= pkg-config
CFLAGS		?= -O2 -g
LDFLAGS		?=

PKGS		:= libseccomp inih
DEPS_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEPS_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lseccomp -linih)
# libev ships no .pc on Debian 12.
EV_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags libev 2>/dev/null)
EV_LIBS		:= $(shell $(PKG_CONFIG) --libs libev 2>/dev/null || echo -lev)
CRIT_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
CRIT_LIBS	:= $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

override CFLAGS	+= -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Isupervisor -Ifilters \
		   $(DEPS_CFLAGS) $(EV_CFLAGS)
LIBS		:= $(DEPS_LIBS) $(EV_LIBS) -pthread

# Debian packages needed to build, test and read the docs.
DEB_PACKAGES	:= gcc make pkg-config libseccomp-dev libev-dev libinih-dev \
		   libcriterion-dev mandoc gcc-multilib python3 git

FILTER_SRCS	:= $(wildcard filters/*.c)
SUP_SRCS	:= $(filter-out supervisor/main.c,$(wildcard supervisor/*.c))
LIB_OBJS	:= $(FILTER_SRCS:.c=.o) $(SUP_SRCS:.c=.o)
HEADERS		:= $(wildcard filters/*.h supervisor/*.h tests/*.h)

TEST_SRCS	:= $(wildcard tests/*.c)
TARGET_SRCS	:= $(wildcard tests/targets/*.c)
# Targets also built for i386 (NAME-m32), to test 32-bit supervision.
M32_NAMES	:= try-path
TARGETS		:= $(TARGET_SRCS:.c=) $(M32_NAMES:%=tests/targets/%-m32)

all: unotifyd copycat

unotifyd: supervisor/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

copycat: unotifyd
	ln -sf unotifyd $@

%.o: %.c $(HEADERS)
	$(CC) $(CFLAGS) -c -o $@ $<

tests/run-tests: $(TEST_SRCS) $(LIB_OBJS) $(HEADERS)
	$(CC) $(CFLAGS) $(CRIT_CFLAGS) -Itests $(LDFLAGS) -o $@ \
	    $(TEST_SRCS) $(LIB_OBJS) $(LIBS) $(CRIT_LIBS) -lpthread

# Test targets: tiny programs that make syscalls and print what they got.
# raw-static is built without libc; NAME-m32 is NAME.c for i386.
tests/targets/%: tests/targets/%.c
	$(CC) -O1 -g -Wall -Wextra -D_GNU_SOURCE $(TARGET_CFLAGS_$*) -o $@ $< -lpthread

tests/targets/%-m32: tests/targets/%.c
	$(CC) -m32 -O1 -g -Wall -Wextra -D_GNU_SOURCE -o $@ $< -lpthread

TARGET_CFLAGS_raw-static := -static -nostdlib -fno-stack-protector -fno-builtin

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
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing

demo: deps
	$(MAKE) all
	sh tests/demo.sh

check: deps
	$(MAKE) all tests/run-tests $(TARGETS)
	mandoc -Tlint -Werror man/unotifyd.8 man/unotifyd.rules.5
	./unotifyd check -r rules.d/
	UNOTIFYD=$(CURDIR)/unotifyd TARGETS=$(CURDIR)/tests/targets \
	    tests/run-tests --jobs 2

# Performance: not part of check. Writes BENCHMARKS.md (bench/README).
bench: deps
	$(MAKE) all
	sh bench/run.sh

# Reliability targets (README: "More checks"): each stops by itself.
# check-asan check-valgrind fuzz soak: see the section below.

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/rules.d
	install -m 0755 unotifyd $(DESTDIR)$(BINDIR)/unotifyd
	ln -sf unotifyd $(DESTDIR)$(BINDIR)/copycat
	install -m 0644 man/unotifyd.8 $(DESTDIR)$(MANDIR)/man8/unotifyd.8
	install -m 0644 man/unotifyd.rules.5 $(DESTDIR)$(MANDIR)/man5/unotifyd.rules.5
	install -m 0644 rules.d/*.ini $(DESTDIR)$(DATADIR)/rules.d/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/unotifyd $(DESTDIR)$(BINDIR)/copycat \
	    $(DESTDIR)$(MANDIR)/man8/unotifyd.8 \
	    $(DESTDIR)$(MANDIR)/man5/unotifyd.rules.5
	rm -rf $(DESTDIR)$(DATADIR)

format:
	clang-format -i supervisor/*.[ch] filters/*.[ch] tests/*.[ch] tests/targets/*.c

clean:
	rm -f unotifyd copycat supervisor/*.o filters/*.o tests/run-tests $(TARGETS)

.PHONY: all deps demo check bench install uninstall format clean
