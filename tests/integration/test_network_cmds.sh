# network create, ls, inspect, rm, prune and exists: the network files in
# the graph root, Podman's output, bad input and damaged files. None of these
# needs netavark or a network namespace.
# shellcheck shell=bash

# net_json NAME EXPR: a Python expression over the inspect JSON of NAME
# (bound to `n`), printed as JSON.
net_json() {
  local json
  json=$(burrow network inspect "$1") || fail "network inspect $1 failed: $json"
  python3 -c '
import json, sys
n = json.loads(sys.argv[1])[0]
print(json.dumps(eval(sys.argv[2], {"n": n})))' "$json" "$2"
}

# The files in the store's networks directory but its lock, one a line
# (dot files too: a failed write must not leave a temporary file behind).
net_files() {
  local file
  [ -d "$STORE/root/networks" ] || return 0
  for file in "$STORE/root/networks"/* "$STORE/root/networks"/.[!.]*; do
    [ -e "$file" ] && [ "${file##*/}" != .lock ] && echo "${file##*/}"
  done
  return 0
}

test_network_ls_shows_the_default_network() {
  fresh_store
  run burrow network ls
  assert_status 0
  assert_eq "$output" "NETWORK ID    NAME        DRIVER
2f259bab93aa  podman      bridge"
  run burrow network list -q
  assert_status 0
  assert_eq "$output" "podman"
  run burrow network ls --no-trunc --format '{{.ID}}'
  assert_eq "$output" "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
  # The default network is synthesized, never written.
  assert_eq "$(net_files)" ""
}

test_network_inspect_default_network() {
  fresh_store
  assert_eq "$(net_json podman 'n["subnets"]')" '[{"subnet": "10.88.0.0/16", "gateway": "10.88.0.1"}]'
  assert_eq "$(net_json podman '[n["name"], n["driver"], n["network_interface"], n["dns_enabled"], n["ipv6_enabled"], n["internal"]]')" \
    '["podman", "bridge", "podman0", false, false, false]'
  assert_eq "$(net_json podman 'n["ipam_options"]')" '{"driver": "host-local"}'
  assert_eq "$(net_json podman 'sorted(n)')" \
    '["created", "dns_enabled", "driver", "id", "internal", "ipam_options", "ipv6_enabled", "name", "network_interface", "subnets"]'
}

# Generated names are the first free podmanN (N >= 1) that is neither a
# network nor an interface of the host (as root, other tests' bridges are).
test_network_create_defaults() {
  fresh_store
  local one two first second
  run burrow network create
  assert_status 0
  assert_match "$output" '^podman[1-9][0-9]*$'
  one=$output
  run burrow network create
  assert_match "$output" '^podman[1-9][0-9]*$'
  two=$output
  [ "$one" != "$two" ] || fail "both networks are named $one"
  assert_eq "$(net_files | sort)" "$(printf '%s.json\n' "$one" "$two" | sort)"
  first=$(net_json "$one" 'n["subnets"][0]["subnet"]')
  second=$(net_json "$two" 'n["subnets"][0]["subnet"]')
  [ "$first" != "$second" ] || fail "both networks got subnet $first"
  assert_match "$first" '^"10\.[0-9]+\.[0-9]+\.0/24"$'
  assert_match "$second" '^"10\.[0-9]+\.[0-9]+\.0/24"$'
  assert_eq "$(net_json "$one" '[n["network_interface"], n["dns_enabled"], n["driver"], len(n["id"])]')" \
    "[\"$one\", true, \"bridge\", 64]"
  assert_match "$(net_json "$one" 'n["created"]')" '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"$'
  # The file is what inspect shows, in Podman's layout (five-space indent).
  python3 -c '
import json, sys
stored = json.load(open(sys.argv[1]))
shown = json.loads(sys.argv[2])[0]
assert stored == shown, (stored, shown)
assert open(sys.argv[1]).read().startswith("{\n     \"name\": \"%s\",\n" % sys.argv[3]), "layout"
' "$STORE/root/networks/$one.json" "$(burrow network inspect "$one")" "$one" ||
    fail "$one.json differs from inspect"
}

test_network_create_with_every_option() {
  fresh_store
  run burrow network create --subnet 10.99.0.0/24 --gateway 10.99.0.254 --ip-range 10.99.0.128/25 \
    --subnet fd12:3456:789a:1::/64 --label a=b --label c -o mtu=1400 -o isolate=1 -o vlan=7 \
    --internal --interface-name br-full full
  assert_status 0
  assert_eq "$output" "full"
  assert_eq "$(net_json full 'n["subnets"]')" \
    '[{"subnet": "10.99.0.0/24", "gateway": "10.99.0.254", "lease_range": {"start_ip": "10.99.0.129", "end_ip": "10.99.0.255"}}, {"subnet": "fd12:3456:789a:1::/64", "gateway": "fd12:3456:789a:1::1"}]'
  assert_eq "$(net_json full '[n["ipv6_enabled"], n["internal"], n["dns_enabled"], n["network_interface"]]')" \
    '[true, true, true, "br-full"]'
  assert_eq "$(net_json full 'n["labels"]')" '{"a": "b", "c": ""}'
  assert_eq "$(net_json full 'n["options"]')" '{"isolate": "true", "mtu": "1400", "vlan": "7"}'
}

test_network_create_ipv6_and_internal_without_dns() {
  fresh_store
  burrow network create --ipv6 six >/dev/null
  assert_match "$(net_json six '[s["subnet"] for s in n["subnets"]]')" \
    '^\["10\.[0-9.]+/24", "fd[0-9a-f]{2}:[0-9a-f:]+::/64"\]$'
  assert_eq "$(net_json six 'n["ipv6_enabled"]')" "true"
  burrow network create --internal --disable-dns quiet >/dev/null
  # Without DNS an internal network needs no gateway, as Podman leaves it out.
  assert_eq "$(net_json quiet '["gateway" in s for s in n["subnets"]]')" "[false]"
  assert_eq "$(net_json quiet '[n["internal"], n["dns_enabled"]]')" "[true, false]"
}

# create_fails EXPECTED ARGS...: network create ARGS fails with 125 and
# EXPECTED in its message, and writes nothing.
create_fails() {
  local expected=$1 before
  shift
  before=$(net_files)
  run burrow network create "$@"
  assert_status 125
  assert_contains "$output" "Error: $expected"
  assert_eq "$(net_files)" "$before"
}

test_network_create_refuses_bad_input() {
  fresh_store
  burrow network create --subnet 10.99.0.0/24 --interface-name br-taken taken >/dev/null
  create_fails "invalid CIDR address: 10.99.0.0/33" --subnet 10.99.0.0/33 a
  create_fails "invalid CIDR address: abc" --subnet abc a
  create_fails "gateway 10.98.0.1 not in subnet 10.99.1.0/24" --subnet 10.99.1.0/24 --gateway 10.98.0.1 a
  create_fails "--ip-range 10.130.0.0/24 is not inside subnet 10.140.0.0/16" \
    --subnet 10.140.0.0/16 --ip-range 10.130.0.0/24 a
  create_fails "cannot set --gateway or --ip-range without --subnet" --gateway 10.1.1.1 a
  create_fails "cannot set more gateways than subnets" --subnet 10.140.0.0/16 \
    --gateway 10.140.0.1 --gateway 10.140.0.2 a
  create_fails "network name taken already used: network already exists" taken
  create_fails "network name podman already used: network already exists" podman
  create_fails "subnet 10.99.0.0/25 overlaps subnet 10.99.0.0/24 of network taken" \
    --subnet 10.99.0.0/25 a
  create_fails "subnet 10.88.1.0/24 overlaps subnet 10.88.0.0/16 of network podman" \
    --subnet 10.88.1.0/24 a
  create_fails "subnets 10.150.0.0/16 and 10.150.1.0/24 overlap" \
    --subnet 10.150.0.0/16 --subnet 10.150.1.0/24 a
  create_fails "the macvlan driver is not supported yet" -d macvlan a
  create_fails "the ipvlan driver is not supported yet" --driver ipvlan a
  create_fails 'unsupported driver "foo": use bridge' -d foo a
  create_fails 'unsupported bridge network option "foo"' -o foo=bar a
  create_fails 'invalid mtu "abc"' -o mtu=abc a
  create_fails 'network name "bad/name" invalid' bad/name
  create_fails 'network name "-x" invalid' -- -x
  create_fails "interface name br-taken already used by network taken" --interface-name br-taken a
  create_fails "interface name podman0 already used by network podman" --interface-name podman0 a
  create_fails 'interface name "a/b" invalid' --interface-name a/b a
  create_fails 'invalid label "=x"' --label =x a
  create_fails 'unsupported --ipam-driver "dhcp"' --ipam-driver dhcp a
}

test_network_create_refuses_a_subnet_of_a_host_route() {
  fresh_store
  local route
  # A non-default IPv4 route of this host, as CIDR (the table is little-endian
  # hex), that is not a bridge of burrow's own networks (other tests' containers
  # may have them up as root).
  route=$(python3 -c '
import socket, struct
for line in open("/proc/net/route").read().splitlines()[1:]:
    f = line.split()
    mask = int(f[7], 16)
    if mask and not f[0].startswith(("podman", "br-")):
        net = socket.inet_ntoa(struct.pack("<I", int(f[1], 16)))
        print("%s/%d %s" % (net, bin(mask).count("1"), f[0]))
        break')
  [ -n "$route" ] || skip "this host has no non-default IPv4 route to collide with"
  create_fails "subnet ${route% *} overlaps the host's route to ${route% *} on ${route#* }" \
    --subnet "${route% *}" a
}

test_network_ls_format_and_filters() {
  fresh_store
  burrow network create --label env=prod --subnet 10.160.0.0/24 --interface-name br-web web >/dev/null
  burrow network create --label env=dev --interface-name br-db db >/dev/null
  run burrow network ls --format '{{.Name}} {{.Driver}} {{.NetworkInterface}} {{.Labels}}'
  assert_status 0
  # Sorted by name, as Podman lists them.
  assert_eq "$output" "db bridge br-db env=dev
podman bridge podman0 
web bridge br-web env=prod"
  run burrow network ls --filter label=env=prod -q
  assert_eq "$output" "web"
  run burrow network ls --filter label=env -q
  assert_eq "$output" "db
web"
  run burrow network ls --filter label!=env=prod -q
  assert_eq "$output" "db
podman"
  run burrow network ls --filter name=^d --filter name=eb -q
  assert_eq "$output" "db
web"
  run burrow network ls --filter name=web --filter label=env=dev -q
  assert_eq "$output" ""
  run burrow network ls --filter id=2f259b -q
  assert_eq "$output" "podman"
  run burrow network ls --filter driver=bridge -q
  assert_eq "$(count_lines "$output")" 3
  run burrow network ls --filter dangling=true -q
  assert_eq "$output" "db
web"
  run burrow network ls --filter until=2000-01-01T00:00:00Z -q
  assert_eq "$output" ""
  run burrow network ls --filter foo=bar
  assert_status 125
  assert_contains "$output" 'Error: invalid filter "foo"'
  run burrow network ls --noheading --filter name=web
  assert_match "$output" '^[0-9a-f]{12}  web +bridge$'
  run burrow network ls --format 'table {{.Name}}\t{{.NetworkInterface}}\t{{.DNSEnabled}}' --filter name=web
  assert_eq "$output" "NAME        NETWORK INTERFACE  DNS ENABLED
web         br-web             true"
  run burrow network ls --format json
  assert_status 0
  python3 -c '
import json, sys
nets = json.loads(sys.argv[1])
assert [n["name"] for n in nets] == ["db", "podman", "web"], nets
assert nets[2]["subnets"] == [{"subnet": "10.160.0.0/24", "gateway": "10.160.0.1"}], nets[2]
assert nets[2]["labels"] == {"env": "prod"}, nets[2]
' "$output" || fail "unexpected ls --format json: $output"
  run burrow network ls --format '{{.Nope}}'
  assert_status 125
  assert_contains "$output" "Error: template: can't evaluate field Nope"
}

test_network_inspect_by_id_format_and_missing() {
  fresh_store
  burrow network create --subnet 10.170.0.0/24 --label k=v alpha >/dev/null
  local id
  id=$(burrow network inspect -f '{{.ID}}' alpha)
  assert_match "$id" '^[0-9a-f]{64}$'
  run burrow network inspect --format '{{.Name}} {{.Driver}} {{.Labels}} {{json .Subnets}}' "${id:0:10}"
  assert_status 0
  assert_eq "$output" 'alpha bridge map[k:v] [{"gateway":"10.170.0.1","subnet":"10.170.0.0/24"}]'
  run burrow network inspect -f '{{.Name}}' alpha podman
  assert_eq "$output" "alpha
podman"
  run burrow network inspect nosuch
  assert_status 125
  assert_contains "$output" "Error: unable to find network with name or ID nosuch: network not found"
  run burrow network inspect alpha nosuch
  assert_status 125
  assert_contains "$output" '"name": "alpha"'
  assert_contains "$output" "Error: unable to find network with name or ID nosuch"
}

# The top-level inspect finds a network when no container or image has
# the name, and --type network looks at networks only.
test_network_top_level_inspect_and_type() {
  fresh_store
  burrow network create --subnet 10.171.0.0/24 beta >/dev/null
  run burrow inspect --format '{{.Name}} {{.Driver}}' beta
  assert_status 0
  assert_eq "$output" "beta bridge"
  run burrow inspect beta
  assert_status 0
  python3 -c '
import json, sys
[net] = json.loads(sys.argv[1])
assert net["name"] == "beta" and net["subnets"][0]["subnet"] == "10.171.0.0/24", net
' "$output" || fail "inspect beta is not the network's JSON: $output"
  run burrow inspect --type network -f '{{.Name}}' podman
  assert_status 0
  assert_eq "$output" "podman"
  run burrow inspect --type network nosuch
  assert_status 125
  assert_contains "$output" 'Error: no such network "nosuch"'
  run burrow inspect nosuch
  assert_status 125
  assert_contains "$output" 'Error: no such object: "nosuch"'
  run burrow inspect --type volume beta
  assert_status 125
  assert_contains "$output" "use container, image, network or all"
}

test_network_exists() {
  fresh_store
  burrow network create present >/dev/null
  run burrow network exists present
  assert_status 0
  assert_eq "$output" ""
  run burrow network exists podman
  assert_status 0
  run burrow network exists "$(burrow network inspect -f '{{.ID}}' present | cut -c1-12)"
  assert_status 0
  run burrow network exists absent
  assert_status 1
  assert_eq "$output" ""
}

test_network_rm() {
  fresh_store
  burrow network create one >/dev/null
  burrow network create two >/dev/null
  run burrow network rm one
  assert_status 0
  assert_eq "$output" "one"
  assert_eq "$(net_files)" "two.json"
  local id
  id=$(burrow network inspect -f '{{.ID}}' two)
  run burrow network remove "${id:0:12}"
  assert_status 0
  assert_eq "$output" "${id:0:12}"
  assert_eq "$(net_files)" ""
  run burrow network rm nosuch
  assert_status 1
  assert_contains "$output" "Error: unable to find network with name or ID nosuch: network not found"
  run burrow network rm podman
  assert_status 125
  assert_contains "$output" "Error: default network podman cannot be removed"
  run burrow network rm
  assert_status 125
}

test_network_rm_of_a_network_in_use() {
  fresh_store
  load_busybox
  burrow network create busy >/dev/null
  burrow create --name user1 --network busy localhost/busybox true >/dev/null
  run burrow network rm busy
  assert_status 2
  assert_contains "$output" "Error: network busy is used by container(s) user1: remove them first, or use -f"
  assert_eq "$(net_files)" "busy.json"
  run burrow network prune -f
  assert_status 0
  assert_eq "$output" ""
  run burrow network ls --filter dangling=false -q
  assert_eq "$output" "busy
podman"
  run burrow network rm -f busy
  assert_status 0
  assert_eq "$output" "busy"
  assert_eq "$(net_files)" ""
  assert_eq "$(burrow ps -a --format '{{.Names}}')" ""
}

test_network_prune() {
  fresh_store
  burrow network create --label drop=yes a >/dev/null
  burrow network create b >/dev/null
  run burrow network prune --force --filter label=drop
  assert_status 0
  assert_eq "$output" "a"
  run burrow network prune -f --filter until=2000-01-01T00:00:00Z
  assert_status 0
  assert_eq "$output" ""
  run burrow network prune -f --filter nope=1
  assert_status 125
  assert_contains "$output" "Error: invalid filter"
  assert_eq "$(net_files)" "b.json"
  # Without -f it asks; no answer keeps everything.
  run burrow network prune </dev/null
  assert_status 0
  assert_contains "$output" "Are you sure you want to continue? [y/N]"
  assert_eq "$(net_files)" "b.json"
  run burrow network prune <<<"y"
  assert_status 0
  assert_contains "$output" "b"
  assert_eq "$(net_files)" ""
  run burrow network ls -q
  assert_eq "$output" "podman"
}

test_network_damaged_file_is_reported_and_removable() {
  fresh_store
  burrow network create good >/dev/null
  printf '{"name": "bad", "id": ' >"$STORE/root/networks/bad.json"
  run burrow network ls -q
  assert_status 0
  assert_contains "$output" "good"
  assert_contains "$output" "podman"
  assert_contains "$output" "$STORE/root/networks/bad.json"
  assert_contains "$output" "not valid JSON"
  run burrow network inspect bad
  assert_status 125
  assert_contains "$output" "Error: network file $STORE/root/networks/bad.json is damaged: not valid JSON"
  assert_contains "$output" "burrow network rm bad"
  # Other commands keep working, and the damaged name stays taken.
  run burrow network inspect -f '{{.Name}}' good
  assert_status 0
  assert_eq "$output" "good"
  create_fails "network name bad already used: network already exists" bad
  run burrow network create other
  assert_status 0
  run burrow network exists bad
  assert_status 125
  run burrow network rm bad
  assert_status 0
  assert_eq "$output" "bad"
  run burrow network ls -q
  assert_eq "$output" "good
other
podman"
}

test_network_file_for_another_name_or_a_copied_id_is_damaged() {
  fresh_store
  burrow network create orig >/dev/null
  # A copy keeps the id and the name inside: both are reported, not loaded.
  cp "$STORE/root/networks/orig.json" "$STORE/root/networks/copy.json"
  run burrow network inspect copy
  assert_status 125
  assert_contains "$output" 'the file holds network "orig", not "copy"'
  sed 's/"orig"/"copy"/' "$STORE/root/networks/orig.json" >"$STORE/root/networks/copy.json"
  run burrow network inspect copy
  assert_status 125
  assert_contains "$output" "is also the id of network orig"
  # Neither copy can be trusted until one is gone.
  run burrow network inspect orig
  assert_status 125
  assert_contains "$output" "is also the id of network copy"
  sed 's/"10\.[0-9.]*\/24"/"10.1.2.3\/99"/' "$STORE/root/networks/orig.json" >"$STORE/root/networks/copy.json"
  run burrow network inspect copy
  assert_status 125
  assert_contains "$output" 'field "subnets[0].subnet": invalid CIDR address: 10.1.2.3/99'
  run burrow network inspect -f '{{.Name}}' orig
  assert_eq "$output" "orig"
}

test_network_concurrent_creates_get_distinct_names_and_subnets() {
  fresh_store
  local i out pids=()
  out=$(mktemp -d "$BURROW_WORK/creates.XXXXXX")
  for i in 1 2 3 4 5 6; do
    burrow_background network create >"$out/$i"
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || fail "a concurrent network create failed"; done
  local names
  names=$(cat "$out"/*)
  assert_eq "$(sort -u <<<"$names" | wc -l | tr -d ' ')" 6
  local -a fields=()
  for i in $names; do
    fields+=("$(net_json "$i" '[n["subnets"][0]["subnet"], n["network_interface"]]')")
  done
  assert_eq "$(printf '%s\n' "${fields[@]}" | python3 -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin]
print(len({r[0] for r in rows}), len({r[1] for r in rows}))')" "6 6"
}

test_network_help_on_every_command() {
  local cmd
  for cmd in network "network create" "network ls" "network list" "network inspect" \
    "network rm" "network remove" "network prune" "network exists"; do
    # shellcheck disable=SC2086 # the command words are meant to split
    run burrow $cmd --help
    assert_status 0
    assert_contains "$output" "Usage:"
  done
  run burrow network
  assert_status 125
}
