#!/usr/bin/env bash
# make test's code-signing certificates, made anew with openssl: a certificate authority and a
# publisher's code-signing certificate it issued (PEM chain and key, and the same as PKCS#12 with
# the password certopay-test). Nothing of it ships or is committed.
# Usage: scripts/windows/test-signing.sh DIR
set -euo pipefail
dir=${1:?usage: $0 DIR}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=CertoPay Test Code Signing CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout signer.key -out signer.csr -subj "/O=CertoPay Test/CN=CertoPay Keys Test Publisher" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >signer.ext
openssl x509 -req -in signer.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out signer.pem -days 2 -extfile signer.ext 2>/dev/null
cat signer.pem ca.pem >chain.pem
openssl pkcs12 -export -inkey signer.key -in signer.pem -certfile ca.pem -out signer.p12 -passout pass:certopay-test
