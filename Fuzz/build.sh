#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/Harness.swift) with the modules it fuzzes, each compiled from its sources with
# `-sanitize=fuzzer,address` (coverage for libFuzzer, AddressSanitizer) and the C readers with clang's equivalents.
#   Fuzz/build.sh [OUT]        (default out/fuzz; the binary is OUT/baseline-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-out/fuzz}" && realpath "${1:-out/fuzz}")
repo=$(pwd)
swiftc=${SWIFTC:-swiftc}
clang=$(dirname "$(command -v "$swiftc")")/clang
san=(-sanitize=fuzzer,address -gline-tables-only -parse-as-library -I "$out" -I Sources/CBaselineSys/include -I Sources/CPcap -I Sources/CArchive -I Sources/CZstd -I "$out/modules")
for m in CImageReaders CBundleCrypto; do
  mkdir -p "$out/modules/$m"
  printf 'module %s {\n  header "%s/Sources/%s/include/%s.h"\n  export *\n}\n' "$m" "$repo" "$m" "$m" > "$out/modules/$m/module.modulemap"
done

module() { # NAME SWIFT_VERSION OPTIMIZATION SOURCES...
  local name=$1 version=$2 opt=$3; shift 3
  "$swiftc" -c -wmo -swift-version "$version" "$opt" "${san[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
    "$@" -o "$out/$name.o"
}
"$clang" -c -O1 -g -fsanitize=address,fuzzer-no-link -I Sources/CBaselineSys/include Sources/CBaselineSys/shim.c -o "$out/shim.o"
for c in Sources/CImageReaders/*.c Sources/CBundleCrypto/*.c; do
  "$clang" -c -O1 -g -fsanitize=address,fuzzer-no-link -I "$(dirname "$c")/include" "$c" -o "$out/$(basename "$c" .c).o"
done
module BaselineCore 5 -O $(find Sources/BaselineCore -name '*.swift' | sort)
module BaselineTraffic 6 -O Sources/BaselineTraffic/*.swift
module BaselineImages 6 -O Sources/BaselineImages/*.swift
module BaselineFleet 6 -O Sources/BaselineFleet/{ArrivingArray,ReportDocument,SchemaValidator,SchemaValidator+Tape,SchemaProbe,SchemaPattern,SchemaPatternAutomaton,JSONTape,ReportTapeReader,ReportBody,ReportBodyDictionary,UnitSummary,FactoryFingerprints,SQLExecutor}.swift
"$swiftc" -swift-version 5 -O "${san[@]}" -module-name BaselineFuzz Fuzz/Harness.swift \
  "$out"/BaselineCore.o "$out"/BaselineTraffic.o "$out"/BaselineImages.o "$out"/BaselineFleet.o "$out"/shim.o \
  "$out"/squashfs_reader.o "$out"/squashfs3_reader.o "$out"/jffs2_reader.o "$out"/ext_reader.o "$out"/bundle_crypto.o -lcrypt -lcrypto -lpcap -larchive -lsquashfs -lext2fs -lcom_err -lz -llzma -lzstd \
  -o "$out/baseline-fuzz" 2>&1 \
  | { grep -v -e "Cannot export local symbol" -e "^$" || true; }
echo "built $out/baseline-fuzz"
