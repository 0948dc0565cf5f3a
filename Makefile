# Baseline — build, demo, tests, embedded build and benchmark.
#   make demo   set up everything and audit the bundled firmware samples
#   make test   set up everything and run all tests
SHELL := /bin/bash
.DEFAULT_GOAL := demo

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift
SWIFTC ?= swiftc
BIN := .build/debug/baseline
RELEASE_BIN := .build/release/baseline
DATE ?= $(shell date -u +%F)

# Debian packages: libcrypt for crypt(3); libpcap reads captures (tcpdump records the fixtures, tshark checks them and is the
# benchmark peer, dig asks the fixture dnsmasq); libarchive, libsquashfs and libext2fs read firmware images (zlib and liblzma Baseline's SquashFS 3 reader) (squashfs-tools,
# e2fsprogs, rauc, mender-artifact, cpio,
# xz, zstd, bzip2 make the test images); whois (mkpasswd), openssl, dropbear-bin and openssh-client make and read
# the sample hashes and keys; python3-jsonschema and -junitparser check reports, chromium renders the HTML one; cross toolchains, musl and qemu-user for the
# embedded core and the static agents; hyperfine and time for the benchmark, lynis and john its side-by-side peers;
# postgresql the collector's second store (tests start a private server on 127.0.0.1).
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
APT_PACKAGES := libcrypt-dev:$(DEB_ARCH) libpcap-dev tcpdump tshark bind9-dnsutils python3-pyftpdlib curl iproute2 util-linux libarchive-dev libsquashfs-dev libext2fs-dev libssh-dev openssh-server e2fsprogs squashfs-tools rauc mender-artifact python3-venv cpio xz-utils zstd bzip2 whois openssl dropbear-bin openssh-client busybox dnsmasq-base nmap python3 python3-jsonschema python3-junitparser chromium file time hyperfine postgresql libsqlite3-dev libzstd-dev lynis john \
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static \
  libcrypt-dev:arm64 libcrypt-dev:armhf musl-dev:$(DEB_ARCH) musl-dev:arm64 musl-dev:armhf \
  u-boot-tools mtd-utils p7zip-full lzop lz4 unar lziprecover liblzma-dev zlib1g-dev liblzo2-dev binwalk \
  gcc-mips-linux-gnu libc6-dev-mips-cross gcc-mipsel-linux-gnu libc6-dev-mipsel-cross

# Keep the embedded core objects between `make embedded` and `make agent`.
.SECONDARY:

.PHONY: deps pyvenv captures vendor-images images build release demo test install fuzz unit-tests embedded agent agent-aarch64 agent-armv7 agent-x86_64 bench samples clean

# Installs what is missing (apt-get update only when something is). openssh-server is needed for its sshd binary
# only (the scan tests start their own on 127.0.0.1), postgresql for its server binaries (the tests start a private
# cluster on 127.0.0.1, Tests/scripts/with-postgres.sh): a policy-rc.d keeps the package from starting the system
# service while it installs, and where systemd runs, ssh.service and ssh.socket are left disabled.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  for a in arm64 armhf; do dpkg --print-foreign-architectures | grep -qx $$a || $(SUDO) dpkg --add-architecture $$a; done; \
	  for i in 1 2 3; do $(SUDO) apt-get update -qq && break; echo "apt-get update failed, retrying"; sleep 5; done; \
	  pol=/usr/sbin/policy-rc.d; made=; \
	  if [ ! -e $$pol ]; then printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee $$pol >/dev/null && $(SUDO) chmod 755 $$pol && made=1; fi; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
	  if [ -n "$$made" ]; then $(SUDO) rm -f $$pol; fi; \
	  case "$$missing" in *openssh-server*) if [ -d /run/systemd/system ]; then $(SUDO) systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true; fi;; esac; \
	  case "$$missing" in *postgresql*) if [ -d /run/systemd/system ]; then $(SUDO) systemctl disable --now postgresql.service >/dev/null 2>&1 || true; fi;; esac; \
	  [ $$rc = 0 ] || exit $$rc; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 toolchain not found on PATH (expected /opt/swift/usr/bin)"; exit 2; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job: audit every bundled sample with its vendor profile.
demo: build pyvenv vendor-images
	@bash Tests/scripts/demo.sh $(BIN) $(DATE)

# Every test: the embedded build of the core, unit tests and end-to-end tests of the built executable.
test: deps embedded agent pyvenv captures vendor-images
	$(SWIFT) build --build-tests
	Tests/scripts/with-postgres.sh $(SWIFT) test --skip-build --disable-xctest
	bash Fuzz/build.sh out/fuzz
	FUZZ_SEED=1 BASELINE_BIN=$(BIN) bash Fuzz/run.sh $(FUZZ_TEST_SECONDS)

# libFuzzer on every parser that reads untrusted bytes (Fuzz/Harness.swift): the saved regressions, then
# FUZZ_SECONDS per target on corpora seeded from the samples. `make test` runs each for FUZZ_TEST_SECONDS.
FUZZ_SECONDS ?= 300
FUZZ_TEST_SECONDS ?= 15
fuzz: deps captures build
	bash Fuzz/build.sh out/fuzz
	BASELINE_BIN=$(BIN) bash Fuzz/run.sh $(FUZZ_SECONDS)

# Fixture captures for `baseline traffic`: real traffic between real programs on 127.0.0.1, recorded with tcpdump in a
# private network namespace (needs root). Regenerated when the recording script changes.
CAPTURES := out/captures
captures: $(CAPTURES)/MANIFEST.txt
$(CAPTURES)/MANIFEST.txt: Tests/scripts/record-captures.sh $(wildcard Tests/scripts/captures/*) | deps
	bash Tests/scripts/record-captures.sh $(CAPTURES)

# Python packages Debian does not ship, in a venv under out/: cyclonedx-python-lib validates the SBOMs in the tests;
# unblob (with jefferson and ubi_reader) is the extraction engine for the firmware file systems Baseline does not read
# itself (JFFS2, UBI/UBIFS, romfs); `baseline` finds it at out/py/bin/unblob beside its build, or $$BASELINE_UNBLOB.
PYVENV := out/py
PY_PACKAGES := 'cyclonedx-python-lib[json-validation]==11.12.0' 'prometheus-client==0.26.0' 'unblob==26.6.4' 'jefferson==0.4.8' 'ubi_reader==0.8.16'
pyvenv: $(PYVENV)/.installed
$(PYVENV)/.installed: Makefile | deps
	/usr/bin/python3 -m venv $(PYVENV)
	$(PYVENV)/bin/pip install -q $(PY_PACKAGES)
	@touch $@

# Vendor-style firmware files (TP-Link, TRX, Netgear, Seama, uImage, FIT, Android boot, JFFS2, UBI, cramfs, raw NOR,
# and broken ones) built the way vendors build them, for the tests and the benchmark. Not committed.
VENDOR_IMAGES := out/vendor-images
vendor-images: $(VENDOR_IMAGES)/MANIFEST.txt
$(VENDOR_IMAGES)/MANIFEST.txt: Firmware-samples/make-vendor-images.sh $(wildcard Firmware-samples/tools/*.py) | deps
	bash Firmware-samples/make-vendor-images.sh $(VENDOR_IMAGES)

# --- Embedded Swift: BaselineCore compiled the way the on-device agent uses it (no Foundation, no existentials). ---
# x86_64 and armv7 are compiled to bitcode (-lto=llvm-full) and LTO-linked with LLVM's machine outliner (repeated
# instruction sequences become shared functions; AArch64 does this by default for -Osize code); armv7 is Thumb-2
# (-Xcc -mthumb makes the triple thumbv7, the ARMv7-A Thumb-2 code Debian's armhf musl and libxcrypt are built as).
# aarch64 is LTO-linked too, but its link-time optimization runs at O1, not O2: LLVM's O2 LTO pipeline for
# aarch64-none-none-elf miscompiles String payloads in this code (the agent crashed in its JSON writer on three
# samples under qemu; the differential test catches it); at O1 it does not, and the agent is 1,020,832 bytes instead
# of 1,086,648 without LTO (BENCHMARKS.md). x86_64 stays over 1 MiB (1,165,480): it is not a gateway target.
EMB_SRCS := $(shell find Sources/BaselineCore -name '*.swift' | sort)
EMB_FLAGS = -enable-experimental-feature Embedded -wmo -Osize -parse-as-library $(EMB_CODEGEN_$*) -I Sources/CBaselineSys/include
EMB_CODEGEN_x86_64 := -lto=llvm-full
EMB_CODEGEN_armv7 := -lto=llvm-full
EMB_CODEGEN_aarch64 := -lto=llvm-full
EMB_aarch64 := -target aarch64-none-none-elf -Xcc --sysroot=/usr/aarch64-linux-gnu -Xcc -isystem -Xcc /usr/aarch64-linux-gnu/include -Xcc -idirafter -Xcc /usr/include
EMB_armv7 := -target armv7-none-none-eabi -Xcc -mthumb -Xcc -mfloat-abi=hard -Xcc --sysroot=/usr/arm-linux-gnueabihf -Xcc -isystem -Xcc /usr/arm-linux-gnueabihf/include -Xcc -idirafter -Xcc /usr/include
EMB_x86_64 := -target x86_64-unknown-linux-gnu

out/embedded/%/BaselineCore.o: $(EMB_SRCS) Sources/CBaselineSys/include/CBaselineSys.h Makefile | deps
	@mkdir -p $(@D)
	$(SWIFTC) $(EMB_$*) $(EMB_FLAGS) -module-name BaselineCore -emit-module -emit-module-path $(@D)/BaselineCore.swiftmodule -c $(EMB_SRCS) -o $@

embedded: out/embedded/x86_64/BaselineCore.o out/embedded/aarch64/BaselineCore.o out/embedded/armv7/BaselineCore.o
	@file out/embedded/*/BaselineCore.o

# --- baseline-agent: fully static, stripped executables: Embedded Swift + musl + libxcrypt, LTO-linked by lld. ---
AGENT_SRCS := $(shell find Sources/BaselineAgent -name '*.swift' | sort)
AGENT_C := Sources/CBaselineSys/shim.c Sources/CBaselineSys/static/agent_main.c Sources/CBaselineSys/static/agent_push.c
CC_aarch64 := aarch64-linux-gnu-gcc
CC_armv7 := arm-linux-gnueabihf-gcc
CC_x86_64 := gcc
STRIP_aarch64 := aarch64-linux-gnu-strip
STRIP_armv7 := arm-linux-gnueabihf-strip
STRIP_x86_64 := strip
CFLAGS_armv7 := -mthumb -mfloat-abi=hard
LDFLAGS_x86_64 := -Wl,-mllvm,-enable-machine-outliner
LDFLAGS_armv7 := -Wl,-mllvm,-enable-machine-outliner
LTO_OPT_aarch64 := O1
LTO_OPT_armv7 := O2
LTO_OPT_x86_64 := O2
GNU_aarch64 := aarch64-linux-gnu
GNU_armv7 := arm-linux-gnueabihf
GNU_x86_64 := x86_64-linux-gnu
MUSL_aarch64 := aarch64-linux-musl
MUSL_armv7 := arm-linux-musleabihf
MUSL_x86_64 := x86_64-linux-musl
UNICODE_aarch64 := aarch64-none-none-elf
UNICODE_armv7 := armv7-none-none-eabi
UNICODE_x86_64 := x86_64-unknown-linux-gnu
SWIFT_BIN := $(dir $(shell command -v $(SWIFTC) 2>/dev/null || echo /opt/swift/usr/bin/swiftc))
SWIFT_EMB_LIB := $(SWIFT_BIN)../lib/swift/embedded

# BearSSL (TLS for `baseline-agent --push`): Debian's source tarball, checked against its sha256; only the library
# objects, compiled like the agent's C files; the linker keeps what agent_push.c uses (--gc-sections).
BEARSSL_URL := http://deb.debian.org/debian/pool/main/b/bearssl/bearssl_0.6+dfsg.1.orig.tar.xz
BEARSSL_SHA256 := 102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
BEARSSL_TAR := out/bearssl/bearssl_0.6+dfsg.1.orig.tar.xz
BEARSSL_DIR := out/bearssl/bearssl-0.6
AR_aarch64 := aarch64-linux-gnu-ar
AR_armv7 := arm-linux-gnueabihf-ar
AR_x86_64 := ar

$(BEARSSL_TAR):
	@mkdir -p $(@D)
	curl -sSfL --retry 3 -o $@.part $(BEARSSL_URL)
	echo "$(BEARSSL_SHA256)  $@.part" | sha256sum -c --quiet - || { rm -f $@.part; echo "$(BEARSSL_URL): sha256 mismatch"; exit 1; }
	mv $@.part $@
$(BEARSSL_DIR)/inc/bearssl.h: $(BEARSSL_TAR)
	tar -xJf $< -C out/bearssl
	touch $@
out/bearssl/%/libbearssl.a: $(BEARSSL_DIR)/inc/bearssl.h
	@mkdir -p $(@D)/obj
	@echo "BearSSL for $*: $(CC_$*) $(CFLAGS_$*) -Os ... src/*/*.c"
	@for c in $(BEARSSL_DIR)/src/*.c $(BEARSSL_DIR)/src/*/*.c; do \
	  $(CC_$*) $(CFLAGS_$*) -Os -ffunction-sections -fdata-sections -nostdinc -isystem /usr/include/$(MUSL_$*) \
	    -isystem $$($(CC_$*) -print-file-name=include) -I $(BEARSSL_DIR)/inc -I $(BEARSSL_DIR)/src \
	    -c $$c -o $(@D)/obj/$$(basename $$c .c).o || exit 1; \
	done
	rm -f $@ && $(AR_$*) rcs $@ $(@D)/obj/*.o

out/agent/%/baseline-agent: out/embedded/%/BaselineCore.o $(AGENT_SRCS) $(AGENT_C) Sources/CBaselineSys/include/CBaselineSys.h out/bearssl/%/libbearssl.a
	@mkdir -p $(@D)
	$(SWIFTC) $(EMB_$*) $(EMB_FLAGS) -I out/embedded/$* -D BASELINE_C_MAIN -module-name BaselineAgent -c $(AGENT_SRCS) -o $(@D)/BaselineAgent.o
	for c in $(AGENT_C); do \
	  $(CC_$*) $(CFLAGS_$*) -Os -ffunction-sections -fdata-sections -nostdinc -isystem /usr/include/$(MUSL_$*) \
	    -isystem $$($(CC_$*) -print-file-name=include) -I Sources/CBaselineSys/include -I $(BEARSSL_DIR)/inc -c $$c -o $(@D)/$$(basename $$c .c).o || exit 1; \
	done
	$(CC_$*) $(CFLAGS_$*) -static -nostdlib -fuse-ld=lld -B$(SWIFT_BIN) -Wl,--gc-sections -Wl,--lto-$(LTO_OPT_$*) $(LDFLAGS_$*) \
	  /usr/lib/$(MUSL_$*)/crt1.o /usr/lib/$(MUSL_$*)/crti.o $(@D)/BaselineAgent.o out/embedded/$*/BaselineCore.o \
	  $(@D)/shim.o $(@D)/agent_main.o $(@D)/agent_push.o out/bearssl/$*/libbearssl.a $(SWIFT_EMB_LIB)/$(UNICODE_$*)/libswiftUnicodeDataTables.a \
	  /usr/lib/$(GNU_$*)/libcrypt.a /usr/lib/$(MUSL_$*)/libc.a $$($(CC_$*) $(CFLAGS_$*) -print-libgcc-file-name) \
	  /usr/lib/$(MUSL_$*)/crtn.o -o $@.unstripped
	$(STRIP_$*) -o $@ $@.unstripped

agent: deps out/agent/x86_64/baseline-agent out/agent/aarch64/baseline-agent out/agent/armv7/baseline-agent
	@for a in x86_64 aarch64 armv7; do printf '%-8s %8d bytes  ' $$a $$(stat -c %s out/agent/$$a/baseline-agent); file -b out/agent/$$a/baseline-agent; done
agent-aarch64: out/agent/aarch64/baseline-agent
agent-armv7: out/agent/armv7/baseline-agent
agent-x86_64: out/agent/x86_64/baseline-agent

bench: release agent pyvenv vendor-images
	@bash Tests/scripts/bench.sh $(RELEASE_BIN)

# Regenerate the sample root filesystems (new salts and keys; same verdicts).
samples: deps
	bash Firmware-samples/make-samples.sh

# Firmware images and update bundles (SquashFS, ext4, tar.gz, cpio, .raucb, .swu, .mender) from the samples.
images: deps
	bash Firmware-samples/make-images.sh

# Installs the host tools, the profiles, man pages and shell completions under $(DESTDIR)$(PREFIX):
#   bin/baseline, bin/baseline-collector            release builds (they link the Swift runtime of this toolchain)
#   share/baseline/Profiles                         where `--profile ID` finds profiles next to an installed binary
#   share/baseline/agent/<arch>/baseline-agent      the static agents `baseline scan` copies to devices, if built
#   share/man/man1/*.1                              swift-argument-parser's generate-manual; the agent's by hand
#   share/bash-completion, share/zsh, share/fish    from --generate-completion-script
PREFIX ?= /usr/local
DESTDIR ?=
MANDIR := out/man
install: release
	@mkdir -p $(MANDIR)
	$(SWIFT) package --allow-writing-to-directory $(MANDIR) generate-manual --output-directory $(MANDIR) >/dev/null
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/baseline $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/baseline .build/release/baseline-collector $(DESTDIR)$(PREFIX)/bin/
	rm -rf $(DESTDIR)$(PREFIX)/share/baseline/Profiles && cp -R Profiles $(DESTDIR)$(PREFIX)/share/baseline/Profiles
	for a in x86_64 aarch64 armv7; do if [ -x out/agent/$$a/baseline-agent ]; then \
	  install -D -m 755 out/agent/$$a/baseline-agent $(DESTDIR)$(PREFIX)/share/baseline/agent/$$a/baseline-agent; fi; done
	install -m 644 $(MANDIR)/baseline.1 $(MANDIR)/baseline-collector.1 Docs/man/baseline-agent.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	for p in baseline baseline-collector; do \
	  .build/release/$$p --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; \
	  .build/release/$$p --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$p; \
	  .build/release/$$p --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$p.fish; done
	@echo "installed under $(DESTDIR)$(PREFIX)"

clean:
	rm -rf .build out
