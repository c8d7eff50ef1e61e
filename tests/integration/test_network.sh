# Container networking: pasta and slirp4netns uplinks, published ports,
# the host reached from inside, shared and existing namespaces, and the
# /etc/hosts and /etc/resolv.conf flags. Nothing may outlive `rm -f`.
# shellcheck shell=bash

# A TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The uplink helpers started for this store (their arguments name its run root).
helpers_of_store() {
  pgrep -f "(pasta|slirp4netns) .*$STORE/run/" || true
}

# Network namespace files still mounted under this store, seen from the
# keeper's mount namespace when rootless and from ours.
netns_mounts_of_store() {
  local keeper
  keeper=$(cut -d' ' -f1 "$STORE/run/keeper.pid" 2>/dev/null || true)
  cat /proc/self/mountinfo ${keeper:+/proc/$keeper/mountinfo} 2>/dev/null |
    grep "$STORE/run/.*/netns" || true
}

assert_no_network_leftovers() {
  eventually "" helpers_of_store
  [ -z "$(netns_mounts_of_store)" ] || fail "namespace files are still mounted: $(netns_mounts_of_store)"
}

# A busybox httpd in a detached container serving "hello from NAME".
start_web() {
  local name=$1
  shift
  run burrow run -d --name "$name" "$@" localhost/busybox \
    sh -c "mkdir -p /www && echo hello from $name >/www/index.html && exec httpd -f -p 8080 -h /www"
  assert_status 0
}

http_get() {
  curl -s --max-time 5 "$1" || true
}

# A host HTTP server on 127.0.0.1:$1 serving "hello from the host"; its
# pid is in $host_server.
start_host_server() {
  local dir
  dir=$(mktemp -d "$BURROW_WORK/www.XXXXXX")
  echo "hello from the host" >"$dir/index.html"
  python3 -m http.server "$1" --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
  host_server=$!
  eventually "hello from the host" http_get "http://127.0.0.1:$1/index.html"
}

test_network_default_mode_is_pasta_rootless_and_bridge_as_root() {
  fresh_store
  load_busybox
  run burrow create --name c localhost/busybox true
  assert_status 0
  run burrow inspect --format '{{.HostConfig.NetworkMode}}' c
  if is_rootless; then assert_eq "$output" "pasta"; else assert_eq "$output" "bridge"; fi
}

test_network_none_has_only_loopback() {
  fresh_store
  load_busybox
  run burrow run --rm --network none localhost/busybox sh -c 'ls /sys/class/net'
  assert_status 0
  assert_eq "$output" "lo"
}

test_network_pasta_publishes_a_port_and_leaves_nothing_behind() {
  fresh_store
  load_busybox
  local port
  port=$(free_port)
  start_web web --network pasta -p "127.0.0.1:$port:8080"
  eventually "hello from web" http_get "http://127.0.0.1:$port/"
  run burrow port web
  assert_eq "$output" "8080/tcp -> 127.0.0.1:$port"
  run burrow ps --format '{{.Ports}}'
  assert_eq "$output" "127.0.0.1:$port->8080/tcp"
  run burrow inspect --format '{{json .NetworkSettings.Ports}}' web
  assert_eq "$output" "{\"8080/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}"
  [ -n "$(helpers_of_store)" ] || fail "no pasta process runs for the container"
  run burrow rm -f web
  assert_status 0
  assert_no_network_leftovers
  [ -z "$(http_get "http://127.0.0.1:$port/")" ] || fail "port $port still answers after rm -f"
}

test_network_slirp4netns_publishes_a_port() {
  fresh_store
  load_busybox
  local port
  port=$(free_port)
  start_web slirp --network slirp4netns -p "$port:8080"
  eventually "hello from slirp" http_get "http://127.0.0.1:$port/"
  run burrow exec slirp sh -c 'ip -o -4 addr show tap0'
  assert_contains "$output" "10.0.2.100/24"
  run burrow rm -f slirp
  assert_status 0
  assert_no_network_leftovers
}

test_network_pasta_reaches_a_host_service_by_name() {
  fresh_store
  load_busybox
  local port
  port=$(free_port)
  start_host_server "$port"
  run burrow run --rm --network pasta localhost/busybox \
    wget -qO- "http://host.containers.internal:$port/index.html"
  kill "$host_server"
  assert_status 0
  assert_eq "$output" "hello from the host"
}

# Without published ports the container starts once pasta has configured
# the namespace, before pasta has finished starting: its first command must
# still find every address and default route, and a container removed while
# pasta is still starting must not leave pasta behind.
test_network_pasta_namespace_is_complete_at_the_first_command() {
  fresh_store
  load_busybox
  run burrow run --rm --network pasta localhost/busybox sh -c 'ip -4 route show default; ip -6 route show default'
  assert_status 0
  if [ -n "$(ip -4 route show default)" ]; then
    grep -Eq '^default via [0-9.]+ ' <<<"$output" || fail "no IPv4 default route at the first command: $output"
  fi
  if [ -n "$(ip -6 route show default)" ]; then
    grep -Eq '^default via [0-9a-f:]+ ' <<<"$output" || fail "no IPv6 default route at the first command: $output"
  fi
  local i
  for i in 1 2 3 4 5; do
    run burrow run --rm --network pasta localhost/busybox true
    assert_status 0
    run burrow run -d --network pasta --name "quick$i" localhost/busybox sleep 60
    assert_status 0
    run burrow rm -f "quick$i"
    assert_status 0
  done
  assert_no_network_leftovers
}

test_network_slirp4netns_reaches_the_host_loopback_only_when_allowed() {
  fresh_store
  load_busybox
  local port
  port=$(free_port)
  start_host_server "$port"
  run burrow run --rm --network slirp4netns:allow_host_loopback=true localhost/busybox \
    wget -qO- "http://host.containers.internal:$port/index.html"
  local allowed_status=$status allowed_output=$output
  run burrow run --rm --network slirp4netns localhost/busybox \
    wget -T 3 -qO- "http://10.0.2.2:$port/index.html"
  kill "$host_server"
  [ "$allowed_status" -eq 0 ] || fail "allow_host_loopback=true: $allowed_output"
  assert_eq "$allowed_output" "hello from the host"
  [ "$status" -ne 0 ] || fail "the host's loopback was reachable without allow_host_loopback"
}

test_network_port_conflict_fails_before_the_container_runs() {
  fresh_store
  load_busybox
  local port holder
  port=$(free_port)
  python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', $port)); s.listen(); time.sleep(60)" &
  holder=$!
  eventually "bound" sh -c "ss -Htln | grep -q ':$port ' && echo bound"
  run burrow run -d --name clash -p "$port:8080" localhost/busybox sleep 100
  kill "$holder"
  assert_status 125
  assert_contains "$output" "Error: "
  assert_contains "$output" "already in use"
  run burrow ps --format '{{.Names}}'
  assert_eq "$output" ""
  assert_no_network_leftovers
}

test_network_publish_refuses_bad_specs() {
  fresh_store
  load_busybox
  local spec
  for spec in abc 70000:80 8080:80/xyz 1.2.3:80:80 8000-8002:80-81 '[::1:80:80' 8080:; do
    run burrow create -p "$spec" localhost/busybox true
    assert_status 125
    assert_contains "$output" "Error: "
  done
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$output" ""
}

test_network_modes_refuse_bad_values() {
  fresh_store
  load_busybox
  local mode
  for mode in 'bogus!' 'container:' 'ns:relative' 'none:x' 'slirp4netns:mtu=abc' \
    'slirp4netns:port_handler=rootlessport' 'pasta:--netns,/x' 'slirp4netns:bogus=1'; do
    run burrow create --network "$mode" localhost/busybox true
    assert_status 125
    assert_contains "$output" "Error: "
  done
  run burrow create --network none -p 8080:80 --name discarded localhost/busybox true
  assert_status 0
  assert_contains "$output" "discarded"
  run burrow run --rm --network container:nosuch localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error: "
}

test_network_container_mode_shares_the_namespace() {
  fresh_store
  load_busybox
  start_web owner --network pasta
  eventually "hello from owner" burrow exec owner wget -qO- http://127.0.0.1:8080/
  run burrow run --rm --network container:owner localhost/busybox wget -qO- http://127.0.0.1:8080/
  assert_status 0
  assert_eq "$output" "hello from owner"
  local pid
  pid=$(burrow inspect --format '{{.State.Pid}}' owner)
  run burrow run --rm --network "ns:/proc/$pid/ns/net" localhost/busybox \
    wget -qO- http://127.0.0.1:8080/
  assert_status 0
  assert_eq "$output" "hello from owner"
  run burrow rm -f owner
  assert_no_network_leftovers
}

test_network_host_mode_sees_the_host_interfaces() {
  fresh_store
  load_busybox
  local host_links
  host_links=$(ls /sys/class/net | sort | tr '\n' ' ')
  run burrow run --rm --network host localhost/busybox sh -c 'ls /sys/class/net | sort | tr "\n" " "'
  assert_status 0
  assert_eq "$output" "$host_links"
}

test_network_etc_files_follow_the_flags() {
  fresh_store
  load_busybox
  run burrow run --rm --dns 192.0.2.53 --dns-search example.test --dns-option ndots:3 \
    --add-host db.test:192.0.2.10 --add-host 'a.test;b.test:192.0.2.11' \
    --add-host gw.test:host-gateway --hostname box --name etc \
    localhost/busybox sh -c 'cat /etc/resolv.conf; echo ---; cat /etc/hosts'
  assert_status 0
  assert_contains "$output" "search example.test"
  assert_contains "$output" "nameserver 192.0.2.53"
  assert_contains "$output" "ndots:3"
  assert_match "$output" $'192\\.0\\.2\\.10\tdb\\.test'
  assert_match "$output" $'192\\.0\\.2\\.11\ta\\.test b\\.test'
  assert_match "$output" $'\tbox etc'
  assert_match "$output" $'[0-9.]+\tgw\\.test'
  assert_contains "$output" "host.containers.internal"
  run burrow run --rm --add-host x:nonsense localhost/busybox true
  assert_status 125
  run burrow run --rm --no-hosts --add-host x:192.0.2.1 localhost/busybox true
  assert_status 125
}

test_network_pasta_resolver_is_the_forwarder() {
  fresh_store
  load_busybox
  run burrow run --rm --network pasta localhost/busybox cat /etc/resolv.conf
  assert_status 0
  assert_contains "$output" "nameserver 169.254.1.1"
  run burrow run --rm --network slirp4netns localhost/busybox cat /etc/resolv.conf
  assert_contains "$output" "nameserver 10.0.2.3"
}

test_network_publish_all_uses_the_image_exposed_ports() {
  fresh_store
  load_busybox
  run burrow run --name base localhost/busybox true
  run burrow commit --change 'EXPOSE 8080' base localhost/exposing
  assert_status 0
  run burrow run -d -P --name web localhost/exposing \
    sh -c 'mkdir -p /www && echo exposed >/www/index.html && exec httpd -f -p 8080 -h /www'
  assert_status 0
  run burrow port web 8080
  assert_match "$output" '^0\.0\.0\.0:[0-9]+$'
  local port=${output##*:}
  eventually "exposed" http_get "http://127.0.0.1:$port/"
  run burrow rm -f web
  assert_no_network_leftovers
}

test_network_restart_policy_gets_a_fresh_network() {
  fresh_store
  load_busybox
  local port
  port=$(free_port)
  run burrow run -d --name again --restart on-failure:1 -p "$port:8080" localhost/busybox \
    sh -c 'if [ -e /tmp/second ]; then mkdir -p /www; echo second >/www/index.html; exec httpd -f -p 8080 -h /www; fi; touch /tmp/second; exit 1'
  assert_status 0
  eventually "second" http_get "http://127.0.0.1:$port/"
  run burrow rm -f again
  assert_no_network_leftovers
}

# The processes and files bridge networks leave while containers use them.
bridge_leftovers() {
  pgrep -af "aardvark-dns.*$STORE/run/" || true
  pgrep -af "slirp4netns.*$STORE/run/rootless-netns" || true
  netns_mounts_of_store
  [ ! -e "$STORE/run/rootless-netns/netns" ] || echo "rootless network namespace left"
}

test_network_bridge_containers_resolve_each_other_by_name() {
  fresh_store
  load_busybox
  run burrow network create appnet
  assert_status 0
  start_web db --network appnet --network-alias database
  eventually "hello from db" burrow run --rm --network appnet localhost/busybox \
    wget -qO- http://db:8080/
  run burrow run --rm --network appnet localhost/busybox wget -qO- http://database:8080/
  assert_status 0
  assert_eq "$output" "hello from db"
  run burrow run --rm --network appnet localhost/busybox nslookup db
  assert_status 0
  assert_contains "$output" "db.dns.podman"
  run burrow inspect --format '{{.NetworkSettings.IPAddress}}' db
  assert_match "$output" '^10\.89\.[0-9]+\.[0-9]+$'
  local address=$output
  run burrow inspect --format \
    '{{.NetworkSettings.Networks.appnet.IPAddress}}/{{.NetworkSettings.Networks.appnet.IPPrefixLen}}' db
  assert_eq "$output" "$address/24"
  run burrow inspect --format '{{json .NetworkSettings.Networks.appnet.Aliases}}' db
  assert_contains "$output" '"database"'
  run burrow create --name elsewhere --network none localhost/busybox true
  run burrow ps -a --filter network=appnet --format '{{.Names}}'
  assert_eq "$output" "db"
  local network_id
  network_id=$(burrow network inspect --format '{{.ID}}' appnet)
  run burrow ps -a --filter "network=${network_id:0:12}" --format '{{.Names}}'
  assert_eq "$output" "db"
  run burrow ps -a --filter network=nosuch --format '{{.Names}}'
  assert_status 0
  assert_eq "$output" ""
  run burrow rm -f db elsewhere
  assert_status 0
  eventually "" bridge_leftovers
}

test_network_bridge_publishes_ports_to_the_host() {
  fresh_store
  load_busybox
  local port
  port=$(free_port)
  run burrow network create webnet
  assert_status 0
  start_web web --network webnet -p "$port:8080"
  eventually "hello from web" http_get "http://127.0.0.1:$port/"
  run burrow port web
  assert_eq "$output" "8080/tcp -> 0.0.0.0:$port"
  run burrow run -d --network webnet -p "$port:8080" --name clash localhost/busybox sleep 100
  assert_status 125
  assert_contains "$output" "Error: "
  local bridge
  bridge=$(burrow network inspect --format '{{.NetworkInterface}}' webnet)
  run burrow rm -f web clash
  eventually "" bridge_leftovers
  if ! is_rootless; then
    # netavark's bridge goes with its last container, and so do its rules.
    ! ip link show "$bridge" >/dev/null 2>&1 || fail "bridge $bridge is left"
    [ "$(iptables -t nat -S | grep -c -- "--dport $port" || true)" = "0" ] ||
      fail "NAT rules for port $port are left"
  fi
  [ -z "$(http_get "http://127.0.0.1:$port/")" ] || fail "port $port still answers after rm -f"
}

test_network_bridge_static_address_and_internal_network() {
  fresh_store
  load_busybox
  run burrow network create --subnet 10.123.45.0/24 --internal closed
  assert_status 0
  run burrow run --rm --network closed --ip 10.123.45.50 localhost/busybox \
    sh -c 'ip -o -4 addr show eth0; ip route'
  assert_status 0
  assert_contains "$output" "10.123.45.50/24"
  assert_not_contains "$output" "default"
  run burrow run --rm --network closed --ip 10.200.0.5 localhost/busybox true
  assert_status 125
  assert_contains "$output" "not in a subnet"
  run burrow run --rm --network nosuchnet localhost/busybox true
  assert_status 125
  assert_contains "$output" "network create"
  eventually "" bridge_leftovers
}

test_network_bridge_default_network() {
  fresh_store
  load_busybox
  run burrow run --rm --network bridge localhost/busybox ip -o -4 addr show eth0
  assert_status 0
  assert_contains "$output" "10.88."
  eventually "" bridge_leftovers
}

test_network_connect_and_disconnect_a_running_container() {
  fresh_store
  load_busybox
  run burrow network create front
  run burrow network create back
  start_web app --network front
  run burrow network connect --alias api back app
  assert_status 0
  run burrow exec app sh -c 'ls /sys/class/net | sort | tr "\n" " "'
  assert_eq "$output" "eth0 eth1 lo "
  eventually "hello from app" burrow run --rm --network back localhost/busybox \
    wget -qO- http://api:8080/
  run burrow exec app cat /etc/resolv.conf
  assert_eq "$(grep -c nameserver <<<"$output")" "2"
  run burrow network connect back app
  assert_status 125
  assert_contains "$output" "already connected"
  run burrow network disconnect front app
  assert_status 0
  run burrow exec app sh -c 'ls /sys/class/net | sort | tr "\n" " "'
  assert_eq "$output" "eth1 lo "
  run burrow exec app cat /etc/hosts
  assert_eq "$(grep -c 'app$' <<<"$output")" "1"
  run burrow network disconnect front app
  assert_status 125
  assert_contains "$output" "not connected"
  run burrow rm -f app
  eventually "" bridge_leftovers
}

test_network_connect_a_stopped_container_applies_at_start() {
  fresh_store
  load_busybox
  run burrow network create one
  run burrow network create two
  run burrow create --network one --name later localhost/busybox \
    sh -c 'ls /sys/class/net | sort | tr "\n" " "'
  run burrow network connect two later
  assert_status 0
  run burrow start -a later
  assert_status 0
  assert_eq "$output" "eth0 eth1 lo "
  run burrow network connect nosuch later
  assert_status 125
  run burrow create --network pasta --name elsewhere localhost/busybox true
  run burrow network connect one elsewhere
  assert_status 125
  assert_contains "$output" "bridge networks"
  eventually "" bridge_leftovers
}

test_network_pasta_options_udp_and_ipv6_ports() {
  fresh_store
  load_busybox
  run burrow run --rm --network pasta:--mtu,1500 localhost/busybox cat /sys/class/net/eth0/mtu
  assert_status 0
  assert_eq "$output" "1500"
  local port
  port=$(free_port)
  # busybox has no UDP server: the host's python3, with the host's /usr.
  run burrow run -d --name udp -p "$port:9000/udp" -v /usr:/usr:ro -v /lib:/lib:ro \
    -v /lib64:/lib64:ro localhost/busybox /usr/bin/python3 -u -c \
    'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 9000)); print(s.recv(100).decode().strip())'
  assert_status 0
  run burrow port udp
  assert_eq "$output" "9000/udp -> 0.0.0.0:$port"
  # The listener may not be up yet: send until it has received something.
  local i
  for i in $(seq 50); do
    python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'ping\n', ('127.0.0.1', $port))"
    [ -n "$(burrow logs udp 2>/dev/null)" ] && break
    sleep 0.2
  done
  assert_eq "$(burrow logs udp | head -1)" "ping"
  burrow rm -f udp >/dev/null
  if ! ip -6 addr show lo | grep -q '::1'; then
    skip "the host has no IPv6 loopback address"
  fi
  port=$(free_port)
  start_web six --network pasta -p "[::1]:$port:8080"
  eventually "hello from six" http_get "http://[::1]:$port/"
  run burrow port six
  assert_eq "$output" "8080/tcp -> [::1]:$port"
  run burrow ps --format '{{.Ports}}'
  assert_eq "$output" "[::1]:$port->8080/tcp"
  burrow rm -f six >/dev/null
  assert_no_network_leftovers
}

test_network_bridge_addresses_are_unique_across_stores() {
  fresh_store
  load_busybox
  local first=$STORE
  run burrow run -d --network bridge --name one localhost/busybox sleep 100
  assert_status 0
  fresh_store
  load_busybox
  run burrow run -d --network bridge --name two localhost/busybox sleep 100
  assert_status 0
  local a b
  b=$(burrow inspect --format '{{.NetworkSettings.IPAddress}}' two)
  a=$("$BURROW_BIN" --root "$first/root" --runroot "$first/run" inspect \
    --format '{{.NetworkSettings.IPAddress}}' one)
  assert_match "$a" '^10\.88\.'
  assert_match "$b" '^10\.88\.'
  # As root both stores' containers are on the host's one podman0 bridge;
  # rootless each store has a network namespace of its own.
  if ! is_rootless; then
    [ "$a" != "$b" ] || fail "two stores gave both containers $a"
  fi
  run burrow rm -f two
  "$BURROW_BIN" --root "$first/root" --runroot "$first/run" rm -f one >/dev/null
  eventually "" bridge_leftovers
}
