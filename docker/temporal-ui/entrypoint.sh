#!/bin/bash
# Entrypoint of the temporal-ui service: points the UI's remote codec at the API's codec
# route, then starts the image's own entrypoint. The browser calls
# ${TEMPORAL_CODEC_ENDPOINT}/decode, so the endpoint is the route's prefix.
#
# The dev stack's UI has no login of its own, so (as `npm start` does) it gets a codec
# capability: the ui-codec-capability service keeps a decode-only capability and the endpoint
# carries it in its path (/codec/k/<token>). With AUTH_JWKS_URL that file is empty and
# the UI passes its signed-in user's own access token to /codec instead; the UI does so
# only with its own login configured (TEMPORAL_AUTH_*) and over https, so that setup
# needs IBMB_CODEC_URL to be the API behind TLS.
set -eu -o pipefail

: "${IBMB_CODEC_URL:?IBMB_CODEC_URL must be the API codec route as the browser reaches it}"
token_file="${IBMB_CODEC_TOKEN_FILE:?IBMB_CODEC_TOKEN_FILE must name the minted token file}"

token=""
if [ -r "$token_file" ]; then token="$(tr -d '[:space:]' <"$token_file")"; fi
if [ -n "$token" ]; then
  export TEMPORAL_CODEC_ENDPOINT="${IBMB_CODEC_URL%/}/k/${token}"
else
  export TEMPORAL_CODEC_ENDPOINT="${IBMB_CODEC_URL%/}"
  export TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true
fi
echo "temporal-ui: codec endpoint ${IBMB_CODEC_URL%/}${token:+/k/<token>}" >&2

# The image's WORKDIR is /home/ui-server; its ENTRYPOINT is this relative path.
exec ./start-ui-server.sh "$@"
