# SPDX-License-Identifier: MIT
# baton: non-recursive build of the library, the CLI, the purgatory and the tests.
#   make            library, CLI (dynamic and static) and purgatory
#   make lib        the public library: libbaton.a, libbaton.so, baton.pc
#   make install    PREFIX=/usr/local DESTDIR= LIBDIR=$(PREFIX)/lib KEXEC_LINK=0
#   make check      every test (unit tests, CLI tests, VM tests)
#   make demo       boot a QEMU machine that hands over to a second kernel through baton
#   make CC=clang   the same with clang

CC      ?= cc
BUILD   ?= build
PYTHON  ?= /usr/bin/python3
VERSION := 0.1.0
SOMAJOR := 0
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
KEXEC_LINK ?= 0

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
HOST_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -Iinclude -Ilib -Icommon -Ipurgatory -Icli \
	-DBATON_VERSION='"$(VERSION)"'

# The purgatory runs before any kernel: freestanding, position independent, integer registers only.
PURG_CFLAGS := -std=c11 $(WARN) -Os -g -Iinclude -Icommon -ffreestanding -fno-builtin -nostdlib \
	-fpie -fvisibility=hidden -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-exceptions -mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-jump-tables \
	-fcf-protection=none -DBATON_FREESTANDING
PURG_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-Wl,-T,purgatory/purgatory.lds

COMMON_SRCS := $(wildcard common/*.c) $(wildcard common/*.S)
# Purgatory code free of hardware access, also built into the host library for its tests.
PURG_PURE   := purgatory/verify.c purgatory/rsdp.c purgatory/vga_text.c purgatory/fb_text.c \
	       purgatory/font.c
LIB_SRCS    := $(wildcard lib/*.c) $(COMMON_SRCS) $(PURG_PURE)
LIB_OBJS    := $(patsubst %,$(BUILD)/%.o,$(basename $(LIB_SRCS)))
CLI_SRCS    := $(wildcard cli/*.c)
CLI_OBJS    := $(CLI_SRCS:%.c=$(BUILD)/%.o)
PURG_SRCS   := $(wildcard purgatory/*.S) $(wildcard purgatory/*.c)
PURG_OBJS   := $(PURG_SRCS:%=$(BUILD)/%.o) $(patsubst %,$(BUILD)/purgatory/%.o,$(basename $(COMMON_SRCS)))
UNIT_SRCS   := $(wildcard tests/unit/*-test.c)
# The compression libraries for compressed images (lib/decompress.c); static archives exist too.
LIB_LIBS    := -lz -llzma -lzstd
UNIT_BINS   := $(UNIT_SRCS:%.c=$(BUILD)/%)
TEST_SUPPORT := $(wildcard tests/unit/support/*.c)

all: $(BUILD)/baton $(BUILD)/baton-static

# --- library -------------------------------------------------------------------------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

# Xen's public headers need GNU C (anonymous unions); only the Xen backend includes them.
$(BUILD)/lib/backend_xen.o: HOST_CFLAGS += -std=gnu11

# The purgatory image is embedded in the library as plain bytes (see lib/purgatory_blob.S).
$(BUILD)/lib/purgatory_blob.o: lib/purgatory_blob.S $(BUILD)/purgatory/purgatory.bin
	@mkdir -p $(dir $@)
	$(CC) -c -DPURGATORY_BIN='"$(BUILD)/purgatory/purgatory.bin"' $< -o $@

# Core: everything but the embedded purgatory, so unit tests of pure code need no purgatory build.
$(BUILD)/libbaton-core.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libbaton.a: $(LIB_OBJS) $(BUILD)/lib/purgatory_blob.o
	@rm -f $@
	ar rcs $@ $^

# One set of objects serves both libraries, so they are position independent.
$(LIB_OBJS): HOST_CFLAGS += -fPIC

# The shared library exports the public API (include/baton/baton.h) and nothing else.
$(BUILD)/libbaton.so.$(VERSION): $(LIB_OBJS) $(BUILD)/lib/purgatory_blob.o lib/libbaton.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libbaton.so.$(SOMAJOR) -Wl,--version-script=lib/libbaton.map \
		-Wl,-z,noexecstack -o $@ $(filter %.o,$^) $(LIB_LIBS)
	ln -sf libbaton.so.$(VERSION) $(BUILD)/libbaton.so.$(SOMAJOR)
	ln -sf libbaton.so.$(SOMAJOR) $(BUILD)/libbaton.so

# Written anew on every run: PREFIX and LIBDIR may differ between make and make install.
PC_SUBST = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|'
$(BUILD)/baton.pc: lib/baton.pc.in FORCE
	$(PC_SUBST) $< > $@
FORCE:

lib: $(BUILD)/libbaton.a $(BUILD)/libbaton.so.$(VERSION) $(BUILD)/baton.pc

# The example program, built against the in-tree library (tests build it against an installed one).
$(BUILD)/examples/plan-kernel: examples/plan-kernel.c $(BUILD)/libbaton.so.$(VERSION)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) $(CFLAGS) -Iinclude -o $@ $< -L$(BUILD) -lbaton

examples: $(BUILD)/examples/plan-kernel

# --- CLI -----------------------------------------------------------------------------------------
$(BUILD)/baton: $(CLI_OBJS) $(BUILD)/libbaton.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

# A static binary for VM initramfs images, which carry no C library.
$(BUILD)/baton-static: $(CLI_OBJS) $(BUILD)/libbaton.a
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $^ $(LIB_LIBS)

# --- purgatory -----------------------------------------------------------------------------------
$(BUILD)/purgatory/%.S.o: purgatory/%.S
	@mkdir -p $(dir $@)
	$(CC) $(PURG_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/purgatory/%.c.o: purgatory/%.c
	@mkdir -p $(dir $@)
	$(CC) $(PURG_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/purgatory/common/%.o: common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(PURG_CFLAGS) -MMD -MP -c $< -o $@

# The hash is the purgatory's hot loop (every byte of the image, on every reboot and crash):
# -O2 there is ~1.4x the -Os speed (docs/performance.md, QEMU round trip).
$(BUILD)/purgatory/common/sha256.o: PURG_CFLAGS += -O2

# The message-parallel SHA-256 is vector code: its files alone may use the vector registers
# (and are called only once the purgatory has enabled their state, purgatory/fpu.c).
MB_AVX2_FLAGS := -O2 -mavx2
MB_AVX512_FLAGS := -O2 -mavx512f -mavx512bw
$(BUILD)/common/sha256_mb_avx2.o: HOST_CFLAGS += $(MB_AVX2_FLAGS)
$(BUILD)/common/sha256_mb_avx512.o: HOST_CFLAGS += $(MB_AVX512_FLAGS)
$(BUILD)/purgatory/common/sha256_mb_avx2.o: PURG_CFLAGS := $(filter-out -Os -mgeneral-regs-only,$(PURG_CFLAGS)) $(MB_AVX2_FLAGS)
$(BUILD)/purgatory/common/sha256_mb_avx512.o: PURG_CFLAGS := $(filter-out -Os -mgeneral-regs-only,$(PURG_CFLAGS)) $(MB_AVX512_FLAGS)
$(BUILD)/purgatory/common/sha256_tree.o: PURG_CFLAGS += -O2

# Linked at 0; position independence is checked on the objects: only PC-relative references.
# A GOT load (an external function's address) counts too: the static link relaxes it into an
# absolute address.
$(BUILD)/purgatory/purgatory.elf: $(PURG_OBJS) purgatory/purgatory.lds
	@if readelf -rW $(PURG_OBJS) | awk '/^Relocation section/ { dbg = ($$3 ~ /debug/) } \
		!dbg && /R_X86_64_(64|32|32S|(REX_)?GOT[A-Z0-9_]*|16|8)[ \t]/' | grep .; then \
		echo "purgatory: absolute relocations (the purgatory must run at any address)"; \
		exit 1; fi
	$(CC) $(PURG_CFLAGS) $(PURG_LDFLAGS) -o $@ $(PURG_OBJS)

$(BUILD)/purgatory/purgatory.bin: $(BUILD)/purgatory/purgatory.elf
	objcopy -O binary $< $@

purgatory: $(BUILD)/purgatory/purgatory.bin

# --- tests ---------------------------------------------------------------------------------------
FIXTURES := $(CURDIR)/tests/fixtures

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/unit -Wno-missing-prototypes -DFIXTURES='"$(FIXTURES)"' -MMD -MP -c $< -o $@

# Each unit test links its own file, the test support code and the library core (archive members
# are pulled in only where referenced, so a test links exactly the units it names).
$(BUILD)/tests/unit/%-test: $(BUILD)/tests/unit/%-test.o $(TEST_SUPPORT:%.c=$(BUILD)/%.o) \
		$(BUILD)/libbaton-core.a
	$(CC) $(CFLAGS) -o $@ $(filter-out %.a,$^) $(filter %.a,$^) $(LIB_LIBS) -lcmocka -lcrypto

# Tests of code that embeds the purgatory image, and of the CLI's own units.
$(BUILD)/tests/unit/image-test $(BUILD)/tests/unit/api-test $(BUILD)/tests/unit/abi-test: \
		$(BUILD)/lib/purgatory_blob.o
$(BUILD)/tests/unit/options-test: $(BUILD)/cli/options.o
$(BUILD)/tests/unit/plan_view-test: $(BUILD)/cli/plan_view.o $(BUILD)/cli/plan_json.o \
		$(BUILD)/cli/report.o
$(BUILD)/tests/unit/report-test: $(BUILD)/cli/report.o

# A stand-in libxenctrl the Xen backend's tests dlopen instead of the real one.
$(BUILD)/tests/unit/libfakexenctrl.so: tests/unit/fakes/xenctrl.c tests/unit/fakes/xenctrl_state.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -Wno-missing-prototypes $(CFLAGS) -shared -fPIC -o $@ $(filter %.c,$^)

$(BUILD)/tests/unit/xen-test.o: HOST_CFLAGS += -std=gnu11 \
	-DFAKE_XENCTRL='"$(abspath $(BUILD))/tests/unit/libfakexenctrl.so"'
$(BUILD)/tests/unit/xen-test: $(BUILD)/tests/unit/libfakexenctrl.so $(BUILD)/lib/purgatory_blob.o
$(BUILD)/tests/unit/backend-test.o: HOST_CFLAGS += \
	-DFAKE_XENCTRL='"$(abspath $(BUILD))/tests/unit/libfakexenctrl.so"'
$(BUILD)/tests/unit/backend-test: $(BUILD)/tests/unit/libfakexenctrl.so $(BUILD)/lib/purgatory_blob.o

unit-tests: $(UNIT_BINS)

# Installs missing Debian packages (build, tests, QEMU); a no-op when all are there.
deps:
	scripts/install-deps.sh

# The unit tests once more under AddressSanitizer and UndefinedBehaviorSanitizer.
SANITIZE := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

check: deps
	$(MAKE) all unit-tests
	$(MAKE) BUILD=$(BUILD)-asan CFLAGS="$(SANITIZE)" unit-tests
	$(PYTHON) tests/run_all.py --build $(BUILD) --sanitized $(BUILD)-asan

# Fast subset: unit and CLI tests, no VM.
check-host: deps
	$(MAKE) all unit-tests
	$(PYTHON) tests/run_all.py --build $(BUILD) --no-vm

demo: deps
	$(MAKE) all
	scripts/demo.sh $(BUILD)

# The kexec link is optional: it makes baton the system's kexec (kexec-tools' behaviour) and its
# vmcore-dmesg.
install: all $(BUILD)/libbaton.a $(BUILD)/libbaton.so.$(VERSION)
	install -D -m 0755 $(BUILD)/baton $(DESTDIR)$(PREFIX)/sbin/baton
	install -D -m 0644 $(BUILD)/libbaton.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbaton.so.$(VERSION)
	ln -sf libbaton.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbaton.so.$(SOMAJOR)
	ln -sf libbaton.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libbaton.so
	install -m 0644 $(BUILD)/libbaton.a $(DESTDIR)$(LIBDIR)/libbaton.a
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	$(PC_SUBST) lib/baton.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/baton.pc
	install -D -m 0644 include/baton/baton.h $(DESTDIR)$(PREFIX)/include/baton/baton.h
	install -D -m 0644 docs/baton.8 $(DESTDIR)$(PREFIX)/share/man/man8/baton.8
	install -D -m 0644 completion/baton.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/baton
ifeq ($(KEXEC_LINK),1)
	ln -sf baton $(DESTDIR)$(PREFIX)/sbin/kexec
	ln -sf baton.8 $(DESTDIR)$(PREFIX)/share/man/man8/kexec.8
	ln -sf baton $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kexec
	ln -sf baton $(DESTDIR)$(PREFIX)/sbin/vmcore-dmesg
	ln -sf baton $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vmcore-dmesg
	ln -sf baton.8 $(DESTDIR)$(PREFIX)/share/man/man8/vmcore-dmesg.8
endif

# Debian packages (debian/): baton, libbaton0, libbaton-dev, baton-kexec, built by dpkg-buildpackage
# in a copy of the work tree (uncommitted files too; not .git, build*/ or what .gitignore names) so
# that $(BUILD)'s own state is untouched; left in $(BUILD)/deb/. The copy's make must not inherit
# this one's variables (BUILD, CC, CFLAGS).
DEB_SRC := $(BUILD)/deb-src/baton
deb: deps
	rm -rf $(BUILD)/deb-src $(BUILD)/deb
	mkdir -p $(DEB_SRC) $(BUILD)/deb
	rsync -a --exclude=/.git --exclude=/$(patsubst $(CURDIR)/%,%,$(abspath $(BUILD)))/ \
		--filter=':- .gitignore' ./ $(DEB_SRC)/
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u CC -u CFLAGS \
		DEB_BUILD_OPTIONS="nocheck noddebs" dpkg-buildpackage -us -uc -b -jauto
	mv $(BUILD)/deb-src/*.deb $(BUILD)/deb-src/*.changes $(BUILD)/deb-src/*.buildinfo $(BUILD)/deb/
	@ls -1 $(BUILD)/deb/*.deb

.PHONY: deb

clean:
	rm -rf $(BUILD)

# --- assembly in common/ (SHA-NI), for the library and the purgatory --------------------------
$(BUILD)/common/%.o: common/%.S
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/purgatory/common/%.o: common/%.S
	@mkdir -p $(dir $@)
	$(CC) $(PURG_CFLAGS) -MMD -MP -c $< -o $@

# --- benchmarks (not part of check; see docs/performance.md) ----------------------------------
$(BUILD)/bench/hash_throughput: $(BUILD)/bench/hash_throughput.o $(BUILD)/common/sha256.o \
		$(BUILD)/common/sha256_ni.o $(BUILD)/common/sha256_ni_x2.o $(BUILD)/common/sha256_mb.o \
		$(BUILD)/common/sha256_mb_avx2.o $(BUILD)/common/sha256_mb_avx512.o \
		$(BUILD)/common/sha256_tree.o $(BUILD)/purgatory/verify.o
	$(CC) $(CFLAGS) -o $@ $^ -lcrypto

bench: all $(BUILD)/bench/hash_throughput
	$(BUILD)/bench/hash_throughput
	$(PYTHON) bench/load.py --build $(BUILD)
	$(PYTHON) bench/roundtrip.py --build $(BUILD)

# --- fuzzing: libFuzzer + ASan + UBSan, clang only (see docs/fuzzing.md) -----------------------
#   make fuzz         every target for FUZZ_SECONDS (600) each, one after another
#   make fuzz-smoke   replay fuzz/regressions/, then every target for 10 s (CI)
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 600
FUZZ_TARGETS  := bzimage iomem sysfs_memmap cmdline crash identmap multiboot decompress uki vmcore elf
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_SAN      := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OPTS     := -timeout=25 -rss_limit_mb=2048 -print_final_stats=1

# The library once more, instrumented, in its own tree (the rules above, with other flags).
FUZZ_LIB = $(MAKE) BUILD=$(FUZZ_DIR)/lib CC=$(FUZZ_CC) \
	CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_DIR)/lib/libbaton-core.a

$(FUZZ_BINS): $(FUZZ_DIR)/%: fuzz/%.c fuzz/fuzz.c fuzz/fuzz.h $(FUZZ_DIR)/lib/libbaton-core.a
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer -Iinclude -Ilib \
		-Icommon -Ipurgatory -o $@ fuzz/$*.c fuzz/fuzz.c $(FUZZ_DIR)/lib/libbaton-core.a $(LIB_LIBS)

# Runs target $$t for $(1) seconds: new inputs go to $(FUZZ_DIR)/corpus/$$t (fuzz/corpus/$$t is
# only read), crashes to $(FUZZ_DIR)/artifacts/$$t/, the whole output to $(FUZZ_DIR)/$$t.log.
FUZZ_RUN = mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts/$$t; \
	echo "fuzz: $$t, $(1) s"; \
	dict=; if [ -f fuzz/$$t.dict ]; then dict=-dict=fuzz/$$t.dict; fi; \
	$(FUZZ_DIR)/$$t $(FUZZ_OPTS) $$dict -max_total_time=$(1) \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ $(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t \
		>$(FUZZ_DIR)/$$t.log 2>&1 || { tail -n 80 $(FUZZ_DIR)/$$t.log; exit 1; }; \
	grep -E '^\#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' \
		$(FUZZ_DIR)/$$t.log | sed 's/^/  /' || true

# Every input under fuzz/regressions/TARGET/ once: each crashed a target once and must not again.
FUZZ_REPLAY = if [ -d fuzz/regressions/$$t ] && [ -n "$$(ls fuzz/regressions/$$t)" ]; then \
		echo "fuzz: $$t, replaying fuzz/regressions/$$t"; \
		$(FUZZ_DIR)/$$t fuzz/regressions/$$t/* >$(FUZZ_DIR)/$$t.replay.log 2>&1 || \
			{ tail -n 80 $(FUZZ_DIR)/$$t.replay.log; exit 1; }; \
	fi

fuzz: deps
	$(FUZZ_LIB)
	$(MAKE) $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do $(call FUZZ_RUN,$(FUZZ_SECONDS)); done

fuzz-smoke: deps
	$(FUZZ_LIB)
	$(MAKE) $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do $(FUZZ_REPLAY); $(call FUZZ_RUN,10); done

.PHONY: lib examples install all check check-host deps demo clean purgatory unit-tests bench fuzz fuzz-smoke
.DELETE_ON_ERROR:

-include $(shell find $(BUILD) -path '$(BUILD)/assets' -prune -o -name '*.d' -type f -print 2>/dev/null)

# The VM tests' kernels and initramfs images (`make assets`; scripts/assets.sh also installs QEMU).
include tests/vm/assets.mk
