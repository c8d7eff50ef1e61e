# Pull, push, login and logout against the real registries the harness
# started (start-registries): $BURROW_REGISTRY_PLAIN (http, anonymous) and
# $BURROW_REGISTRY_TLS (https with a test CA, htpasswd basic auth).

# A private repository name per test, so tests never see each other's pushes.
registry_repo() {
  echo "it/$1-$BURROW_MODE-$$"
}

# registries.conf for this test, from stdin.
use_registries_conf() {
  export CONTAINERS_REGISTRIES_CONF=$BURROW_WORK/registries-$$.conf
  cat >"$CONTAINERS_REGISTRIES_CONF"
}

# The plain registry speaks http: registries.conf marks it insecure.
plain_insecure_conf() {
  use_registries_conf <<EOF
[[registry]]
location = "$BURROW_REGISTRY_PLAIN"
insecure = true
EOF
}

# push_busybox REPO[:TAG]: the test image pushed to the plain registry.
push_busybox() {
  load_busybox
  burrow push -q --tls-verify=false localhost/busybox:latest "$BURROW_REGISTRY_PLAIN/$1" >/dev/null
}

host_arch() {
  case "$(uname -m)" in
    x86_64) echo amd64 ;;
    aarch64) echo arm64 ;;
    *) uname -m ;;
  esac
}

test_registry_push_then_pull_gives_the_same_image() {
  load_busybox
  local repo id
  repo=$(registry_repo roundtrip)
  id=$(burrow image inspect --format '{{.Id}}' localhost/busybox:latest)
  run burrow push --tls-verify=false localhost/busybox:latest "$BURROW_REGISTRY_PLAIN/$repo:1.0"
  assert_status 0
  assert_contains "$output" "Writing manifest to image destination"
  fresh_store
  run burrow pull --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1.0"
  assert_status 0
  assert_contains "$output" "Trying to pull $BURROW_REGISTRY_PLAIN/$repo:1.0..."
  assert_eq "$(tail -n 1 <<<"$output")" "$id"
  assert_eq "$(burrow images --format '{{.Repository}}:{{.Tag}}')" "$BURROW_REGISTRY_PLAIN/$repo:1.0"
  run burrow run --rm "$BURROW_REGISTRY_PLAIN/$repo:1.0" echo pulled-and-ran
  assert_status 0
  assert_eq "$output" "pulled-and-ran"
}

test_registry_pull_quiet_prints_only_the_id() {
  local repo
  repo=$(registry_repo quiet)
  push_busybox "$repo"
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo"
  assert_status 0
  assert_match "$output" '^[0-9a-f]{64}$'
}

test_registry_pull_by_digest_and_repo_digests() {
  local repo digest
  repo=$(registry_repo digest)
  load_busybox
  burrow push -q --tls-verify=false --digestfile "$BURROW_WORK/digest-$$" localhost/busybox:latest \
    "$BURROW_REGISTRY_PLAIN/$repo:v1"
  digest=$(cat "$BURROW_WORK/digest-$$")
  assert_match "$digest" '^sha256:[0-9a-f]{64}$'
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo@$digest"
  assert_status 0
  run burrow image inspect --format '{{json .RepoDigests}}' "$BURROW_REGISTRY_PLAIN/$repo@$digest"
  assert_status 0
  assert_contains "$output" "$BURROW_REGISTRY_PLAIN/$repo@$digest"
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo@sha256:$(printf '%064d' 0)"
  assert_status 125
  assert_contains "$output" "manifest unknown"
}

test_registry_second_pull_skips_stored_layers() {
  local repo
  repo=$(registry_repo skip)
  push_busybox "$repo"
  fresh_store
  burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo" >/dev/null
  burrow tag "$BURROW_REGISTRY_PLAIN/$repo" localhost/keep:1
  burrow rmi "$BURROW_REGISTRY_PLAIN/$repo" >/dev/null
  run burrow pull --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo"
  assert_status 0
  assert_contains "$output" "skipped: already exists"
}

test_registry_push_skips_blobs_the_registry_has() {
  local repo
  repo=$(registry_repo again)
  push_busybox "$repo"
  run burrow push --tls-verify=false localhost/busybox:latest "$BURROW_REGISTRY_PLAIN/$repo:again"
  assert_status 0
  assert_contains "$output" "skipped: already exists"
}

test_registry_push_needs_a_registry_in_the_destination() {
  load_busybox
  run burrow push localhost/busybox:latest
  assert_status 125
  assert_contains "$output" "names no registry"
  run burrow push localhost/no-such-image:1 "$BURROW_REGISTRY_PLAIN/it/x:1"
  assert_status 125
  assert_contains "$output" "image not known"
}

test_registry_unknown_image_and_unreachable_registry_fail() {
  run burrow pull --tls-verify=false "$BURROW_REGISTRY_PLAIN/it/does-not-exist:1"
  assert_status 125
  assert_contains "$output" "Error: "
  assert_contains "$output" "manifest unknown"
  run burrow pull 127.0.0.1:1/it/nothing:1
  assert_status 125
  assert_contains "$output" "127.0.0.1:1"
  run burrow pull 'bad//reference'
  assert_status 125
  assert_contains "$output" "invalid reference format"
}

test_registry_tls_needs_the_ca() {
  run burrow pull "$BURROW_REGISTRY_TLS/it/anything:1"
  assert_status 125
  assert_contains "$output" "certs.d"
}

test_registry_login_push_pull_logout_with_tls_and_basic_auth() {
  load_busybox
  local repo auth=$BURROW_WORK/auth-$$.json
  repo=$(registry_repo auth)
  run burrow push --cert-dir "$BURROW_REGISTRY_CERTS" --authfile "$auth" localhost/busybox:latest \
    "$BURROW_REGISTRY_TLS/$repo:1"
  assert_status 125
  assert_contains "$output" "requires authentication"
  run burrow login --cert-dir "$BURROW_REGISTRY_CERTS" --authfile "$auth" -u "$BURROW_REGISTRY_USER" \
    --password-stdin "$BURROW_REGISTRY_TLS" <<<"wrong-password"
  assert_status 125
  assert_contains "$output" "invalid username/password"
  [ ! -e "$auth" ] || fail "a failed login wrote $auth"
  run burrow login --cert-dir "$BURROW_REGISTRY_CERTS" --authfile "$auth" -u "$BURROW_REGISTRY_USER" \
    --password-stdin "$BURROW_REGISTRY_TLS" <<<"$BURROW_REGISTRY_PASSWORD"
  assert_status 0
  assert_contains "$output" "Login Succeeded!"
  assert_eq "$(stat -c %a "$auth")" "600"
  assert_eq "$(burrow login --get-login --authfile "$auth" "$BURROW_REGISTRY_TLS")" "$BURROW_REGISTRY_USER"
  run burrow push -q --cert-dir "$BURROW_REGISTRY_CERTS" --authfile "$auth" localhost/busybox:latest \
    "$BURROW_REGISTRY_TLS/$repo:1"
  assert_status 0
  fresh_store
  run burrow pull -q --cert-dir "$BURROW_REGISTRY_CERTS" --authfile "$auth" "$BURROW_REGISTRY_TLS/$repo:1"
  assert_status 0
  run burrow logout --authfile "$auth" "$BURROW_REGISTRY_TLS"
  assert_status 0
  assert_contains "$output" "Removed login credentials for $BURROW_REGISTRY_TLS"
  run burrow logout --authfile "$auth" "$BURROW_REGISTRY_TLS"
  assert_status 125
  assert_contains "$output" "not logged into"
  run burrow pull -q --cert-dir "$BURROW_REGISTRY_CERTS" --authfile "$auth" "$BURROW_REGISTRY_TLS/$repo:1"
  assert_status 125
  assert_contains "$output" "requires authentication"
}

test_registry_creds_flag_and_tls_verify_false() {
  load_busybox
  local repo
  repo=$(registry_repo creds)
  run burrow push -q --tls-verify=false --creds "$BURROW_REGISTRY_USER:$BURROW_REGISTRY_PASSWORD" \
    localhost/busybox:latest "$BURROW_REGISTRY_TLS/$repo:1"
  assert_status 0
  fresh_store
  run burrow pull -q --tls-verify=false --creds "$BURROW_REGISTRY_USER:nope" "$BURROW_REGISTRY_TLS/$repo:1"
  assert_status 125
  assert_contains "$output" "invalid username/password"
  assert_eq "$(burrow images -q)" ""
}

# push_unique_image REPO: an image whose one layer no other push has (a
# random file), so its blob is new in the registry's storage.
push_unique_image() {
  local rootfs=$BURROW_WORK/unique-$$
  mkdir -p "$rootfs"
  head -c 300000 /dev/urandom >"$rootfs/random"
  tar -C "$rootfs" -czf "$rootfs.tar.gz" .
  burrow import "$rootfs.tar.gz" localhost/unique:1 >/dev/null
  burrow push -q --tls-verify=false localhost/unique:1 "$BURROW_REGISTRY_PLAIN/$1"
}

# The registry keeps blob sha256:HEX at blobs/sha256/XX/HEX/data.
registry_blob_path() {
  local hex=${1#sha256:}
  echo "$BURROW_REGISTRY_STORAGE/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

test_registry_tampered_blob_is_refused_and_nothing_is_stored() {
  local repo layer blob
  repo=$(registry_repo tamper)
  push_unique_image "$repo:1"
  layer=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$BURROW_REGISTRY_PLAIN/v2/$repo/manifests/1" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  blob=$(registry_blob_path "$layer")
  [ -f "$blob" ] || fail "the layer blob $blob is not in the registry's storage"
  cp "$blob" "$BURROW_WORK/blob-$$"
  printf 'X' | dd of="$blob" bs=1 seek=1000 conv=notrunc status=none
  fresh_store
  run burrow pull --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  cp "$BURROW_WORK/blob-$$" "$blob"
  assert_status 125
  assert_contains "$output" "tampered"
  assert_eq "$(burrow images -q)" ""
  assert_eq "$(store_entries)" ""
  # Once the registry serves the right bytes again, the same pull works.
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
}

test_registry_truncated_blob_is_an_error_and_a_retry_succeeds() {
  local repo layer blob
  repo=$(registry_repo truncated)
  push_unique_image "$repo:1"
  layer=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$BURROW_REGISTRY_PLAIN/v2/$repo/manifests/1" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  blob=$(registry_blob_path "$layer")
  cp "$blob" "$BURROW_WORK/blob-$$"
  # A download that ends early: the registry now has only half the bytes.
  head -c 150000 "$BURROW_WORK/blob-$$" >"$blob"
  fresh_store
  run burrow pull --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  cp "$BURROW_WORK/blob-$$" "$blob"
  assert_status 125
  assert_contains "$output" "$layer"
  assert_eq "$(store_entries)" ""
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
  run burrow run --rm "$BURROW_REGISTRY_PLAIN/$repo:1" true
  assert_status 127
}

test_registry_short_names_resolve_through_registries_conf() {
  local repo
  repo=$(registry_repo short)
  push_busybox "$repo:7"
  use_registries_conf <<EOF
unqualified-search-registries = ["127.0.0.1:1", "$BURROW_REGISTRY_PLAIN"]
[[registry]]
location = "$BURROW_REGISTRY_PLAIN"
insecure = true
EOF
  fresh_store
  run burrow pull -q "$repo:7"
  assert_status 0
  assert_eq "$(burrow images --format '{{.Repository}}:{{.Tag}}')" "$BURROW_REGISTRY_PLAIN/$repo:7"
  use_registries_conf <<EOF
unqualified-search-registries = []
EOF
  run burrow pull -q "$repo:7"
  assert_status 125
  assert_contains "$output" "unqualified-search"
}

test_registry_aliases_mirrors_and_blocked_registries() {
  local repo
  repo=$(registry_repo mirror)
  push_busybox "$repo:1"
  # Pulls from the unreachable 127.0.0.1:1 are served by its mirror.
  use_registries_conf <<EOF
[aliases]
"shorty" = "127.0.0.1:1/$repo"
[[registry]]
location = "127.0.0.1:1"
[[registry.mirror]]
location = "$BURROW_REGISTRY_PLAIN"
insecure = true
[[registry]]
location = "blocked.example:5000"
blocked = true
EOF
  fresh_store
  run burrow pull -q "127.0.0.1:1/$repo:1"
  assert_status 0
  assert_eq "$(burrow images --format '{{.Repository}}:{{.Tag}}')" "127.0.0.1:1/$repo:1"
  run burrow pull -q "shorty:1"
  assert_status 0
  run burrow pull -q blocked.example:5000/any/thing:1
  assert_status 125
  assert_contains "$output" "blocked"
}

test_registry_manifest_list_selects_the_platform() {
  local repo index digest_host digest_arm size_host size_arm rootfs=$BURROW_WORK/other-$$
  repo=$(registry_repo list)
  load_busybox
  mkdir -p "$rootfs" && echo other >"$rootfs/marker"
  tar -C "$rootfs" -cf - . | burrow import - localhost/other:1 >/dev/null
  burrow push -q --tls-verify=false --format oci --digestfile "$BURROW_WORK/d1-$$" \
    localhost/busybox:latest "$BURROW_REGISTRY_PLAIN/$repo:host"
  burrow push -q --tls-verify=false --format oci --digestfile "$BURROW_WORK/d2-$$" \
    localhost/other:1 "$BURROW_REGISTRY_PLAIN/$repo:arm"
  digest_host=$(cat "$BURROW_WORK/d1-$$") digest_arm=$(cat "$BURROW_WORK/d2-$$")
  size_host=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$BURROW_REGISTRY_PLAIN/v2/$repo/manifests/host" | wc -c)
  size_arm=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$BURROW_REGISTRY_PLAIN/v2/$repo/manifests/arm" | wc -c)
  index=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
    "$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}' "$digest_arm" "$size_arm")" \
    "$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"linux"}}' "$digest_host" "$size_host" "$(host_arch)")")
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "$index" \
    "http://$BURROW_REGISTRY_PLAIN/v2/$repo/manifests/multi" >/dev/null
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:multi"
  assert_status 0
  assert_eq "$(burrow image inspect --format '{{.Digest}}' "$BURROW_REGISTRY_PLAIN/$repo:multi")" "$digest_host"
  fresh_store
  run burrow pull -q --tls-verify=false --platform linux/arm64 "$BURROW_REGISTRY_PLAIN/$repo:multi"
  assert_status 0
  assert_eq "$(burrow image inspect --format '{{.Digest}}' "$BURROW_REGISTRY_PLAIN/$repo:multi")" "$digest_arm"
  run burrow pull -q --tls-verify=false --arch s390x "$BURROW_REGISTRY_PLAIN/$repo:multi"
  assert_status 125
  assert_contains "$output" "s390x"
}

test_registry_run_pull_policies() {
  local repo
  repo=$(registry_repo policy)
  push_busybox "$repo:1"
  plain_insecure_conf
  fresh_store
  run burrow run --rm --pull never "$BURROW_REGISTRY_PLAIN/$repo:1" true
  assert_status 125
  assert_contains "$output" "image not known"
  run burrow run --rm "$BURROW_REGISTRY_PLAIN/$repo:1" echo first
  assert_status 0
  assert_contains "$output" "first"
  run burrow run --rm --pull always "$BURROW_REGISTRY_PLAIN/$repo:1" echo again
  assert_status 0
  assert_contains "$output" "again"
  run burrow create --pull bogus "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 125
  assert_contains "$output" "pull policy"
}

test_registry_search_and_list_tags() {
  local repo
  repo=$(registry_repo search)
  push_busybox "$repo:1"
  push_busybox "$repo:2"
  run burrow search --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo"
  assert_status 0
  assert_contains "$output" "$BURROW_REGISTRY_PLAIN/$repo"
  run burrow search --tls-verify=false --list-tags "$BURROW_REGISTRY_PLAIN/$repo"
  assert_status 0
  assert_match "$output" "$BURROW_REGISTRY_PLAIN/$repo +1"
  assert_match "$output" "$BURROW_REGISTRY_PLAIN/$repo +2"
}

# make_gpg_key HOME NAME: a passphrase-less signing key; prints its fingerprint.
make_gpg_key() {
  mkdir -p -m 0700 "$1"
  GNUPGHOME=$1 gpg --batch --passphrase '' --quick-gen-key "$2 <$2@burrow.test>" default default never \
    2>/dev/null
  GNUPGHOME=$1 gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10; exit}'
}

test_registry_signed_by_policy_accepts_good_signatures_only() {
  command -v gpg >/dev/null || skip "gpg is not installed"
  local repo good bad policy=$BURROW_WORK/policy-$$.json
  repo=$(registry_repo signed)
  export GNUPGHOME=$BURROW_WORK/gnupg-$$ XDG_CONFIG_HOME=$BURROW_WORK/xdg-$$
  good=$(make_gpg_key "$GNUPGHOME" trusted)
  bad=$(make_gpg_key "$BURROW_WORK/gnupg-other-$$" stranger)
  [ -n "$good" ] && [ -n "$bad" ] || fail "gpg made no keys"
  gpg --batch --export "$good" >"$BURROW_WORK/trusted-$$.gpg"
  mkdir -p "$XDG_CONFIG_HOME/containers/registries.d"
  cat >"$XDG_CONFIG_HOME/containers/registries.d/test.yaml" <<EOF
docker:
  $BURROW_REGISTRY_PLAIN:
    lookaside: file://$BURROW_WORK/sigstore-$$
EOF
  cat >"$policy" <<EOF
{"default": [{"type": "insecureAcceptAnything"}],
 "transports": {"docker": {"$BURROW_REGISTRY_PLAIN/$repo": [
   {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "$BURROW_WORK/trusted-$$.gpg"}]}}}
EOF
  load_busybox
  run burrow push -q --tls-verify=false --sign-by "$good" localhost/busybox:latest "$BURROW_REGISTRY_PLAIN/$repo:good"
  assert_status 0
  burrow push -q --tls-verify=false localhost/busybox:latest "$BURROW_REGISTRY_PLAIN/$repo:unsigned"
  run env GNUPGHOME="$BURROW_WORK/gnupg-other-$$" "$BURROW_BIN" --root "$STORE/root" \
    --runroot "$STORE/run" push -q --tls-verify=false --sign-by "$bad" localhost/busybox:latest \
    "$BURROW_REGISTRY_PLAIN/$repo:stranger"
  assert_status 0
  fresh_store
  run burrow pull -q --tls-verify=false --signature-policy "$policy" "$BURROW_REGISTRY_PLAIN/$repo:good"
  assert_status 0
  fresh_store
  run burrow pull -q --tls-verify=false --signature-policy "$policy" "$BURROW_REGISTRY_PLAIN/$repo:unsigned"
  assert_status 125
  assert_contains "$output" "Source image rejected"
  run burrow pull -q --tls-verify=false --signature-policy "$policy" "$BURROW_REGISTRY_PLAIN/$repo:stranger"
  assert_status 125
  assert_contains "$output" "Source image rejected"
  assert_eq "$(burrow images -q)" ""
  gpgconf --kill gpg-agent 2>/dev/null || true
  GNUPGHOME=$BURROW_WORK/gnupg-other-$$ gpgconf --kill gpg-agent 2>/dev/null || true
}

test_registry_reject_policy_and_bad_policy_files() {
  local repo policy=$BURROW_WORK/policy-$$.json
  repo=$(registry_repo reject)
  push_busybox "$repo:1"
  echo '{"default": [{"type": "reject"}]}' >"$policy"
  fresh_store
  run burrow pull -q --tls-verify=false --signature-policy "$policy" "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 125
  assert_contains "$output" "rejected"
  echo '{"default": [{"type": "sometimes"}]}' >"$policy"
  run burrow pull -q --tls-verify=false --signature-policy "$policy" "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 125
  assert_contains "$output" "$policy"
  assert_eq "$(burrow images -q)" ""
}

test_registry_push_mounts_blobs_from_another_repository() {
  local from to
  from=$(registry_repo mount-from) to=$(registry_repo mount-to)
  push_unique_image "$from:1"
  fresh_store
  burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$from:1" >/dev/null
  # The image is named after its first repository now, so the registry can
  # link its blobs into the second one instead of receiving them again.
  run burrow push --tls-verify=false "$BURROW_REGISTRY_PLAIN/$from:1" "$BURROW_REGISTRY_PLAIN/$to:1"
  assert_status 0
  assert_contains "$output" "skipped: already exists"
  ! grep -q '^Copying blob .* done$' <<<"$output" || fail "a blob was uploaded, not mounted: $output"
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$to:1"
  assert_status 0
}

test_registry_large_layers_go_up_in_chunks() {
  local repo rootfs=$BURROW_WORK/large-$$ id
  repo=$(registry_repo chunked)
  mkdir -p "$rootfs"
  # Incompressible and over the 32 MiB chunk size: two PATCH requests.
  head -c $((40 * 1024 * 1024)) /dev/urandom >"$rootfs/big"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  id=$(burrow import "$rootfs.tar" localhost/large:1 | sed 's/^sha256://')
  run burrow push -q --tls-verify=false localhost/large:1 "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
  assert_eq "$output" "$id"
}

test_registry_multi_layer_image_in_docker_schema_2() {
  local repo media
  repo=$(registry_repo layers)
  fresh_store
  load_busybox
  burrow run --name layered localhost/busybox sh -c 'echo second-layer >/layer2' >/dev/null
  burrow commit -q layered localhost/layered:1 >/dev/null
  burrow rm layered >/dev/null
  run burrow push --tls-verify=false --format v2s2 localhost/layered:1 "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
  media=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$BURROW_REGISTRY_PLAIN/v2/$repo/manifests/1" | python3 -c \
    'import json, sys; m = json.load(sys.stdin); print(m["mediaType"], len(m["layers"]))')
  assert_eq "$media" "application/vnd.docker.distribution.manifest.v2+json 2"
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
  run burrow run --rm "$BURROW_REGISTRY_PLAIN/$repo:1" cat /layer2
  assert_status 0
  assert_eq "$output" "second-layer"
}

test_registry_pull_removes_what_a_killed_pull_left_behind() {
  local repo dead=4194305  # above the kernel's largest pid: never a live process
  repo=$(registry_repo debris)
  push_busybox "$repo:1"
  fresh_store
  load_busybox
  # What a pull killed with SIGKILL leaves: its staging directory and a
  # half-unpacked layer. A live process's directories must stay.
  mkdir -p "$STORE/root/tmp/pull-$dead-aaaaaa/x" "$STORE/root/layers/.unpack-$dead-bbbbbb/etc" \
    "$STORE/root/tmp/pull-$$-cccccc"
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_PLAIN/$repo:1"
  assert_status 0
  [ ! -e "$STORE/root/tmp/pull-$dead-aaaaaa" ] || fail "a dead pull's staging directory is left"
  [ ! -e "$STORE/root/layers/.unpack-$dead-bbbbbb" ] || fail "a dead pull's unpacked layer is left"
  [ -d "$STORE/root/tmp/pull-$$-cccccc" ] || fail "a live process's staging directory was removed"
  rmdir "$STORE/root/tmp/pull-$$-cccccc"
}

test_registry_bearer_tokens_from_the_realm() {
  local repo auth=$BURROW_WORK/auth-token-$$.json
  repo=$(registry_repo token)
  load_busybox
  # $BURROW_REGISTRY_TOKEN answers 401 with a Bearer challenge naming the
  # token server; tokens carry only what the credentials allow.
  run burrow push -q --tls-verify=false localhost/busybox:latest "$BURROW_REGISTRY_TOKEN/$repo:1"
  assert_status 125
  assert_contains "$output" "burrow login"
  run burrow login --tls-verify=false --authfile "$auth" -u "$BURROW_REGISTRY_USER" \
    --password-stdin "$BURROW_REGISTRY_TOKEN" <<<"$BURROW_REGISTRY_PASSWORD"
  assert_status 0
  run burrow push -q --tls-verify=false --authfile "$auth" localhost/busybox:latest \
    "$BURROW_REGISTRY_TOKEN/$repo:1"
  assert_status 0
  fresh_store
  run burrow pull -q --tls-verify=false "$BURROW_REGISTRY_TOKEN/$repo:1"
  assert_status 125
  assert_contains "$output" "authentication required"
  run burrow pull -q --tls-verify=false --creds "$BURROW_REGISTRY_USER:wrong" \
    "$BURROW_REGISTRY_TOKEN/$repo:1"
  assert_status 125
  assert_contains "$output" "invalid username/password"
  run burrow pull -q --tls-verify=false --authfile "$auth" "$BURROW_REGISTRY_TOKEN/$repo:1"
  assert_status 0
  assert_match "$output" '^[0-9a-f]{64}$'
}
