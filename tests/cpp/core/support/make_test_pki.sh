#!/bin/sh
# Test PKI for the core's HTTPS tests: a CA, a server cert for 127.0.0.1/localhost and one for a
# wrong host name, both signed by the CA. Usage: make_test_pki.sh <out-dir>
set -eu
out="$1"
mkdir -p "$out"
cd "$out"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 3650 -subj "/CN=sockt test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
make_cert() {
  name="$1"; cn="$2"; san="$3"
  openssl req $ec -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
    -days 3650 -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}
make_cert server 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
make_cert wrong wrong.example.invalid "DNS:wrong.example.invalid"
