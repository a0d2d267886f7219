#!/usr/bin/env bash
# Runs one libFuzzer target for a while, from a small seed corpus written here:
#   Fuzz/run.sh <idx|image|csv|safetensors|checkpoint|index> [seconds, default 60] [more libFuzzer options]
# Builds the targets first (swift build with the fuzzer sanitizer). The corpus grows in
# Fuzz/.build/corpus/<parser>; a crashing input is saved as Fuzz/.build/crash-<parser>-* and the run stops.
set -euo pipefail
cd "$(dirname "$0")"
parser=${1:?"usage: Fuzz/run.sh <idx|image|csv|safetensors|checkpoint|index> [seconds] [libFuzzer options]"}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))

swift build -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld --product "fuzz-$parser" >&2
corpus=.build/corpus/$parser
mkdir -p "$corpus"

# A safetensors file: the 8-byte little-endian length of the JSON header, the header, then the data.
safetensors() {
    local header=$1 data=$2 length=${#1} bytes=""
    for shift in 0 8 16 24 32 40 48 56; do bytes+=$(printf '\\x%02x' $(( (length >> shift) & 255 ))); done
    printf "$bytes%s$data" "$header"
}

case $parser in
idx)
    printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03\x04\x05\x06\x07\x08' > "$corpus/images.idx"
    printf '\x00\x00\x0d\x01\x00\x00\x00\x02\x3f\x80\x00\x00\xc0\x00\x00\x00' > "$corpus/floats.idx"
    gzip -c "$corpus/images.idx" > "$corpus/images.idx.gz"
    ;;
image)
    printf 'P5\n3 2\n255\n\x00\x01\x02\xfd\xfe\xff' > "$corpus/grey.pgm"
    printf 'P3 2 1 255 255 0 0 0 0 255\n' > "$corpus/colour.ppm"
    cp ../Tests/StrataDataTests/Fixtures/{grey,color}.{png,jpg} "$corpus/"
    ;;
csv)
    printf 'label,p0,p1,p2,p3\n1,0,255,3,4\n0,10,20,30,40\r\n2,1,2,3,4.0\n' > "$corpus/digits.csv"
    gzip -c "$corpus/digits.csv" > "$corpus/digits.csv.gz"
    ;;
safetensors)
    cp ../Tests/StrataTrainTests/Fixtures/*.safetensors "$corpus/"
    ;;
checkpoint)
    history='{\"epochs\":[1],\"names\":[\"loss\"],\"values\":{\"loss\":[0.5]}}'
    header='{"__metadata__":{"strata_checkpoint":"1","epoch":"1","global_step":"2","optimizer":"Adam",'
    header+='"extra/early_stopping.wait":"0","history":"'$history'"},'
    header+='"model/dense.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
    header+='"model/dense.kernel":{"dtype":"F32","shape":[3,2],"data_offsets":[8,32]},'
    header+='"optimizer/iterations":{"dtype":"F32","shape":[],"data_offsets":[32,36]},'
    header+='"optimizer/learningRate":{"dtype":"F32","shape":[],"data_offsets":[36,40]}}'
    safetensors "$header" "$(printf '%040d' 0 | tr 0 '\001')" > "$corpus/checkpoint.safetensors"
    ;;
index)
    ids=$(seq -s, 0 11)
    labels=$(for i in $(seq 0 11); do printf '"p%d",' $((i / 3)); done)
    paths=$(for i in $(seq 0 11); do printf '"%d.pgm",' "$i"; done)
    printf '{"count":12,"dimension":4,"fingerprint":"fuzz","format":"strata-retrieval-index","formatVersion":1,' > "$corpus/flat.json"
    printf '"ids":[%s],"kind":"flat","labels":[%s],"metric":"inner_product","paths":[%s]}' \
        "$ids" "${labels%,}" "${paths%,}" >> "$corpus/flat.json"
    ;;
*)
    echo "unknown parser '$parser'" >&2
    exit 2
    ;;
esac

# Swift's own crash backtracer would take the signal from libFuzzer, which then could not save the input.
export SWIFT_BACKTRACE=enable=no
exec ".build/debug/fuzz-$parser" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=".build/crash-$parser-" -print_final_stats=1 "$@" "$corpus"
