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

# Debian packages: libcrypt for crypt(3); whois (mkpasswd), openssl, dropbear-bin and openssh-client make and read
# the sample hashes and keys; python3-jsonschema validates reports; cross toolchains and qemu-user for the embedded
# core; hyperfine and time for the benchmark.
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
APT_PACKAGES := libcrypt-dev:$(DEB_ARCH) whois openssl dropbear-bin openssh-client python3 python3-jsonschema file time hyperfine \
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static \
  libcrypt-dev:arm64 libcrypt-dev:armhf

.PHONY: deps build release demo test unit-tests embedded bench samples clean

# Installs what is missing (apt-get update only when something is).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  for a in arm64 armhf; do dpkg --print-foreign-architectures | grep -qx $$a || $(SUDO) dpkg --add-architecture $$a; done; \
	  for i in 1 2 3; do $(SUDO) apt-get update -qq && break; echo "apt-get update failed, retrying"; sleep 5; done; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 toolchain not found on PATH (expected /opt/swift/usr/bin)"; exit 2; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job: audit every bundled sample with its vendor profile.
demo: build
	@bash Tests/scripts/demo.sh $(BIN) $(DATE)

# Every test: the embedded build of the core, unit tests and end-to-end tests of the built executable.
test: deps embedded
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

# --- Embedded Swift: compile BaselineCore the way the on-device agent will (no Foundation, no existentials). ---
EMB_SRCS := $(shell find Sources/BaselineCore -name '*.swift' | sort)
EMB_FLAGS := -enable-experimental-feature Embedded -wmo -Osize -parse-as-library -I Sources/CBaselineSys/include
EMB_aarch64 := -target aarch64-none-none-elf -Xcc --sysroot=/usr/aarch64-linux-gnu -Xcc -isystem -Xcc /usr/aarch64-linux-gnu/include -Xcc -idirafter -Xcc /usr/include
EMB_armv7 := -target armv7-none-none-eabi -Xcc -mfloat-abi=hard -Xcc --sysroot=/usr/arm-linux-gnueabihf -Xcc -isystem -Xcc /usr/arm-linux-gnueabihf/include -Xcc -idirafter -Xcc /usr/include
EMB_x86_64 := -target x86_64-unknown-linux-gnu

out/embedded/%/BaselineCore.o: $(EMB_SRCS) Sources/CBaselineSys/include/CBaselineSys.h | deps
	@mkdir -p $(@D)
	$(SWIFTC) $(EMB_$*) $(EMB_FLAGS) -module-name BaselineCore -emit-module -emit-module-path $(@D)/BaselineCore.swiftmodule -c $(EMB_SRCS) -o $@

embedded: out/embedded/x86_64/BaselineCore.o out/embedded/aarch64/BaselineCore.o out/embedded/armv7/BaselineCore.o
	@file out/embedded/*/BaselineCore.o

bench: release
	@bash Tests/scripts/bench.sh $(RELEASE_BIN)

# Regenerate the sample root filesystems (new salts and keys; same verdicts).
samples: deps
	bash Firmware-samples/make-samples.sh

clean:
	rm -rf .build out
