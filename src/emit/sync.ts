/**
 * The reservation sync (issue 6): scripts and units that keep the reservations identical on both
 * servers and make sure what arrives is tested before dnsmasq uses it. Pure: returns planned files.
 *
 * What the article's sync (../shared/background/fault-tolerant-dnsmasq.txt) got wrong, and what
 * is done instead:
 * - it copied `dhcp-host` lines kept in a conf-dir file, which a reload does not re-read; ours live
 *   in dhcp-hostsdir / dhcp-optsdir, which a reload (SIGHUP) re-reads cleanly, removals included
 *   (test/dnsmasq-facts.test.ts);
 * - the other server reloaded whatever arrived. Here every server runs `kea2dnsmasq-apply`, which
 *   tests the files with the real `dnsmasq --test` *before* they go live (dnsmasq watches its hosts
 *   directory and would read a file dropped there at once), installs them by rename, tests the
 *   live configuration again, restores the previous files when anything fails, and reloads - or
 *   restarts when a conf-dir file changed, since those are only read at start-up.
 *
 * `dnsmasq --test` does not read dhcp-hostsdir / dhcp-optsdir files (only a running dnsmasq does),
 * so the apply script also gives their lines to it as `dhcp-host=` / `dhcp-option=` lines of a
 * config file, keeping line numbers so an error names the right line.
 *
 * Files:
 *   both:   usr/local/sbin/kea2dnsmasq-apply           test + install + reload/restart, as root
 *   master: usr/local/sbin/kea2dnsmasq-sync            local apply, push to the peer, remote apply
 *           etc/cron.daily/kea2dnsmasq-sync            so it runs even when nobody remembers
 *   peer (unprivileged mode only):
 *           etc/systemd/system/kea2dnsmasq-apply.path  starts the service when a push arrives
 *           etc/systemd/system/kea2dnsmasq-apply.service
 *           etc/tmpfiles.d/kea2dnsmasq.conf            the state dir and the account's inbox
 *           etc/init.d/kea2dnsmasq-apply               OpenWrt: the same with busybox inotifyd
 */
import type { Model } from '../model/model.js';
import type { PairPlan } from '../transform/plan-pair.js';
import { PATHS, type PlannedFile } from './dnsmasq.js';

export type SyncMode = 'root' | 'unprivileged';

export interface SyncOptions {
  /** Host name or address of the other server (default: Kea HA peer URL host, else its server name). */
  peer: string | undefined;
  /** Account on the other server (default: root, or kea2dnsmasq in unprivileged mode). */
  user: string | undefined;
  mode: SyncMode;
  /** Name of the Kea input, for headers. */
  sourceName: string;
}

export const DEFAULT_SYNC_MODE: SyncMode = 'unprivileged';
export const DEFAULT_SYNC_USER = 'kea2dnsmasq';

/** Installed locations of the sync artifacts. */
export const SYNC_PATHS = {
  apply: 'usr/local/sbin/kea2dnsmasq-apply',
  sync: 'usr/local/sbin/kea2dnsmasq-sync',
  cron: 'etc/cron.daily/kea2dnsmasq-sync',
  pathUnit: 'etc/systemd/system/kea2dnsmasq-apply.path',
  serviceUnit: 'etc/systemd/system/kea2dnsmasq-apply.service',
  tmpfiles: 'etc/tmpfiles.d/kea2dnsmasq.conf',
  openwrtInit: 'etc/init.d/kea2dnsmasq-apply',
  state: 'var/lib/kea2dnsmasq',
} as const;

/**
 * conf-dir files the master pushes besides the reservation directories: the reservation tags and
 * the options, which are byte-identical on both servers. 00/10 and 30-scope.conf are not synced:
 * they change only with the subnets and pools, i.e. with a new conversion.
 */
export const SYNCED_CONF = [`${PATHS.confDir}/20-options.conf`, `${PATHS.confDir}/40-reservation-tags.conf`] as const;

/** Safe to put into a shell script unquoted: host names, IPv4/IPv6 literals. */
const SAFE_HOST = /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/;
/** POSIX portable user names. */
export const SAFE_USER = /^[A-Za-z_][A-Za-z0-9_-]{0,31}$/;

export const isSafeHost = (h: string) => SAFE_HOST.test(h);

/** The peer to push to: --peer, else the host of the Kea HA peer URL of the other server, else its name. */
export function choosePeer(m: Model, plan: PairPlan, peer: string | undefined): string {
  if (peer !== undefined) return peer;
  const other = plan.servers[1];
  const fromHa = m.ha?.peers.find((p) => p.name === other)?.host?.replace(/^\[(.*)\]$/, '$1');
  return fromHa !== undefined && isSafeHost(fromHa) ? fromHa : other;
}

export function emitSync(m: Model, plan: PairPlan, opts: SyncOptions): PlannedFile[] {
  const [master, other] = plan.servers;
  const peer = choosePeer(m, plan, opts.peer);
  if (!isSafeHost(peer)) throw new Error(`unsafe peer host ${JSON.stringify(peer)}`);
  const user = opts.user ?? (opts.mode === 'root' ? 'root' : DEFAULT_SYNC_USER);
  if (!SAFE_USER.test(user)) throw new Error(`unsafe sync user ${JSON.stringify(user)}`);
  const apply = applyScript(opts.sourceName);
  const files: PlannedFile[] = [
    { path: `${master}/${SYNC_PATHS.apply}`, contents: apply, mode: 0o755 },
    { path: `${other}/${SYNC_PATHS.apply}`, contents: apply, mode: 0o755 },
    { path: `${master}/${SYNC_PATHS.sync}`, contents: syncScript(opts.sourceName, peer, user, opts.mode, other), mode: 0o755 },
    { path: `${master}/${SYNC_PATHS.cron}`, contents: cronScript(opts.sourceName), mode: 0o755 },
  ];
  if (opts.mode === 'unprivileged') {
    files.push(
      { path: `${other}/${SYNC_PATHS.pathUnit}`, contents: pathUnit(opts.sourceName) },
      { path: `${other}/${SYNC_PATHS.serviceUnit}`, contents: serviceUnit(opts.sourceName) },
      { path: `${other}/${SYNC_PATHS.tmpfiles}`, contents: tmpfiles(opts.sourceName, user) },
      { path: `${other}/${SYNC_PATHS.openwrtInit}`, contents: openwrtInit(opts.sourceName, user), mode: 0o755 },
    );
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const generated = (sourceName: string) => `Generated by kea2dnsmasq from ${sourceName}.`;

/** Shell words for the managed files (relative to /etc). */
const etcRel = (p: string) => p.replace(/^etc\//, '');

function applyScript(sourceName: string): string {
  const hostsDir = etcRel(PATHS.hostsDir).split('/').pop()!;
  const optsDir = etcRel(PATHS.optsDir).split('/').pop()!;
  const resDir = `/${PATHS.reservationsDir}`;
  const confDir = `/${PATHS.confDir}`;
  const synced = SYNCED_CONF.map(etcRel).join(' ');
  return `#!/bin/sh
# kea2dnsmasq-apply: test dnsmasq's configuration with the real dnsmasq, install reservations
# pushed by kea2dnsmasq-sync, and reload dnsmasq - or restart it when a conf-dir file changed.
# ${generated(sourceName)} The same on both servers; runs as root.
#
#   kea2dnsmasq-apply local   test the files in place (the master), then reload or restart
#   kea2dnsmasq-apply inbox   install the push waiting in $KEA2DNSMASQ_STATE/inbox/ready:
#                             test it first, install by rename, test again, restore the previous
#                             files on any failure; the result goes to $KEA2DNSMASQ_STATE/status
#                             (run over ssh as root, or by kea2dnsmasq-apply.path / inotifyd)
#
# Why a reload is not always enough: dnsmasq re-reads ${resDir}/{${hostsDir},${optsDir}} on
# SIGHUP (removals included), but reads ${confDir}/*.conf only at start-up. A copy of the conf
# files as last (re)started is kept in the state dir; when they differ, dnsmasq is restarted.
#
# Settings: environment, or shell assignments in /etc/default/kea2dnsmasq (read first):
#   KEA2DNSMASQ_STATE    state dir (default /${SYNC_PATHS.state})
#   KEA2DNSMASQ_RELOAD   command that reloads dnsmasq (default: systemctl reload dnsmasq, or
#                        /etc/init.d/dnsmasq reload without systemd)
#   KEA2DNSMASQ_RESTART  command that restarts dnsmasq (default: the same with restart)
#   KEA2DNSMASQ_DNSMASQ  the dnsmasq binary (default dnsmasq)
set -eu
umask 022
# shellcheck source=/dev/null # optional local settings
if [ -r /etc/default/kea2dnsmasq ]; then . /etc/default/kea2dnsmasq; fi
STATE=\${KEA2DNSMASQ_STATE:-/${SYNC_PATHS.state}}
DNSMASQ=\${KEA2DNSMASQ_DNSMASQ:-dnsmasq}
RES=${resDir}
CONFDIR=${confDir}
# conf-dir files pushed with the reservations (relative to /etc)
SYNCED='${synced}'
TOKEN=none
JOB=

say() { printf 'kea2dnsmasq-apply: %s\\n' "$*"; }

status() {
  mkdir -p "$STATE"
  printf '%s %s\\n' "$TOKEN" "$(printf '%s' "$*" | tr '\\n' ' ')" > "$STATE/status.new"
  chmod 644 "$STATE/status.new"
  mv -f "$STATE/status.new" "$STATE/status"
}

fail() {
  status "failed: $*"
  printf 'kea2dnsmasq-apply: %s\\n' "$*" >&2
  exit 1
}

cleanup() {
  if [ -n "$JOB" ]; then rm -rf "$JOB" "$JOB.in" "$JOB.view"; fi
  rm -rf "$RES/.kea2dnsmasq-staging"
}
trap cleanup EXIT

# The lines of the hosts/options files of $1 (a reservations dir) as dhcp-host= / dhcp-option=
# lines, one config file per input file under $2, comments and blank lines kept as blank lines so
# dnsmasq's "at line N" is the line of the input file.
reservations_as_conf() {
  for kind in ${hostsDir}:dhcp-host ${optsDir}:dhcp-option; do
    d=\${kind%%:*}
    key=\${kind#*:}
    mkdir -p "$2/$d"
    for f in "$1/$d"/*; do
      [ -f "$f" ] || continue
      sed -e 's/^[[:space:]]*#.*$//' -e "/^[[:space:]]*$/!s/^/$key=/" "$f" > "$2/$d/\${f##*/}"
      printf -- '--conf-file=%s\\n' "$2/$d/\${f##*/}"
    done
  done
}

# dnsmasq --test on main config $1 plus the reservations in dir $2; $3 is a scratch dir.
# Prints dnsmasq's complaint (scratch paths shortened) and fails when the test fails.
dnsmasq_test() {
  args=$(reservations_as_conf "$2" "$3/res")
  # shellcheck disable=SC2086 # one --conf-file=PATH per line; the paths have no blanks
  if out=$("$DNSMASQ" --test --conf-file="$1" $args 2>&1); then return 0; fi
  printf '%s\\n' "$out" | sed -e "s|$3/res/|reservations.d/|g" -e "s|$3/|candidate |g" | grep -v '^[[:space:]]*$' | tail -n 3
  return 1
}

# Does the live conf (dnsmasq.conf and conf-dir files) differ from the copy taken at the last
# (re)start? Without a copy we cannot know what the running dnsmasq read: say yes.
conf_changed() {
  [ -d "$STATE/applied" ] || return 0
  cmp -s /etc/dnsmasq.conf "$STATE/applied/dnsmasq.conf" || return 0
  for f in "$CONFDIR"/*.conf; do
    [ -f "$f" ] || continue
    cmp -s "$f" "$STATE/applied/dnsmasq.d/\${f##*/}" || return 0
  done
  for f in "$STATE/applied/dnsmasq.d"/*.conf; do
    [ -f "$f" ] || continue
    [ -f "$CONFDIR/\${f##*/}" ] || return 0
  done
  return 1
}

remember_conf() {
  rm -rf "$STATE/applied.new"
  mkdir -p "$STATE/applied.new/dnsmasq.d"
  cp /etc/dnsmasq.conf "$STATE/applied.new/dnsmasq.conf"
  for f in "$CONFDIR"/*.conf; do
    if [ -f "$f" ]; then cp "$f" "$STATE/applied.new/dnsmasq.d/"; fi
  done
  rm -rf "$STATE/applied"
  mv "$STATE/applied.new" "$STATE/applied"
}

service() {
  if [ -d /run/systemd/system ] && command -v systemctl > /dev/null 2>&1; then
    systemctl "$1" dnsmasq
  elif [ -x /etc/init.d/dnsmasq ]; then
    /etc/init.d/dnsmasq "$1"
  else
    say "no systemd and no /etc/init.d/dnsmasq: set KEA2DNSMASQ_RELOAD / KEA2DNSMASQ_RESTART" >&2
    return 1
  fi
}

# Explicit "|| return 1": callers test this function, which turns set -e off inside it.
reload_or_restart() {
  if conf_changed; then
    if [ -n "\${KEA2DNSMASQ_RESTART:-}" ]; then sh -c "$KEA2DNSMASQ_RESTART" || return 1; else service restart || return 1; fi
    remember_conf || return 1
    APPLIED=restarted
  else
    if [ -n "\${KEA2DNSMASQ_RELOAD:-}" ]; then sh -c "$KEA2DNSMASQ_RELOAD" || return 1; else service reload || return 1; fi
    APPLIED=reloaded
  fi
}

cmd_local() {
  scratch=$(mktemp -d)
  JOB=$scratch
  if ! why=$(dnsmasq_test /etc/dnsmasq.conf "$RES" "$scratch"); then
    fail "dnsmasq --test failed here, nothing applied: $why"
  fi
  reload_or_restart
  say "configuration OK, dnsmasq $APPLIED"
}

# Copy the pushed files from untrusted dir $1 into fresh dir $2, without following links, then
# refuse anything but plain files with the expected names: the unprivileged account must not be
# able to make root read or write anything else.
take() {
  mkdir -p "$2"
  cp -RP "$1/." "$2/"
  bad=$(find "$2" ! -type f ! -type d -print | head -n 1)
  [ -z "$bad" ] || fail "refused: \${bad#"$2/"} is not a plain file"
  find "$2" -print | while read -r p; do
    r=\${p#"$2"}
    case $r in
      ''|/token|/dnsmasq.d|/dnsmasq.reservations.d|/dnsmasq.reservations.d/${hostsDir}|/dnsmasq.reservations.d/${optsDir}) ;;
      /dnsmasq.reservations.d/${hostsDir}/.*|/dnsmasq.reservations.d/${optsDir}/.*) echo "$r" ;;
      /dnsmasq.reservations.d/${hostsDir}/*/*|/dnsmasq.reservations.d/${optsDir}/*/*) echo "$r" ;;
      /dnsmasq.reservations.d/${hostsDir}/*|/dnsmasq.reservations.d/${optsDir}/*) ;;
${SYNCED_CONF.map((f) => `      /${etcRel(f)}) ;;`).join('\n')}
      *) echo "$r" ;;
    esac
  done > "$2.unexpected"
  bad=$(head -n 1 "$2.unexpected")
  rm -f "$2.unexpected"
  [ -z "$bad" ] || fail "refused: unexpected file $bad in the push"
}

# Put the files of dir $1 (layout: dnsmasq.d/, dnsmasq.reservations.d/{${hostsDir},${optsDir}}/) in
# place under /etc, each by rename from a staging dir outside the directories dnsmasq watches;
# managed files missing from $1 are removed.
put_files() {
  stage=$RES/.kea2dnsmasq-staging
  rm -rf "$stage"
  mkdir -p "$stage/${hostsDir}" "$stage/${optsDir}" "$stage/conf"
  for d in ${hostsDir} ${optsDir}; do
    for f in "$1/dnsmasq.reservations.d/$d"/*; do
      if [ -f "$f" ]; then cp "$f" "$stage/$d/"; fi
    done
  done
  for f in $SYNCED; do
    if [ -f "$1/$f" ]; then cp "$1/$f" "$stage/conf/\${f##*/}"; fi
  done
  for d in ${hostsDir} ${optsDir}; do
    mkdir -p "$RES/$d"
    for f in "$stage/$d"/*; do
      if [ -f "$f" ]; then mv -f "$f" "$RES/$d/"; fi
    done
    for f in "$RES/$d"/*; do
      if [ -f "$f" ] && [ ! -f "$1/dnsmasq.reservations.d/$d/\${f##*/}" ]; then rm -f "$f"; fi
    done
  done
  for f in $SYNCED; do
    if [ -f "$stage/conf/\${f##*/}" ]; then mv -f "$stage/conf/\${f##*/}" "/etc/$f"; else rm -f "/etc/$f"; fi
  done
  rm -rf "$stage"
}

# The managed files as they are now, in put_files' layout, into dir $1.
save_files() {
  mkdir -p "$1/dnsmasq.d" "$1/dnsmasq.reservations.d/${hostsDir}" "$1/dnsmasq.reservations.d/${optsDir}"
  for d in ${hostsDir} ${optsDir}; do
    for f in "$RES/$d"/*; do
      if [ -f "$f" ]; then cp "$f" "$1/dnsmasq.reservations.d/$d/"; fi
    done
  done
  for f in $SYNCED; do
    if [ -f "/etc/$f" ]; then cp "/etc/$f" "$1/$f"; fi
  done
}

cmd_inbox() {
  inbox=$STATE/inbox
  if [ ! -e "$inbox/ready" ] && [ ! -L "$inbox/ready" ]; then return 0; fi
  mkdir -p "$STATE/spool"
  chmod 700 "$STATE/spool"
  JOB=$STATE/spool/job.$$
  rm -rf "$JOB" "$JOB.in" "$JOB.view"
  # Take the push away from the account first (rename into a root-only dir); this also clears
  # the condition of kea2dnsmasq-apply.path.
  mv "$inbox/ready" "$JOB.in"
  if [ ! -d "$JOB.in" ] || [ -L "$JOB.in" ]; then fail "refused: the push is not a directory"; fi
  if [ -f "$JOB.in/token" ] && [ ! -L "$JOB.in/token" ]; then
    TOKEN=$(head -c 64 "$JOB.in/token" | tr -cd 'A-Za-z0-9._-')
    [ -n "$TOKEN" ] || TOKEN=none
  fi
  take "$JOB.in" "$JOB/new"
  mkdir -p "$JOB/new/dnsmasq.d" "$JOB/new/dnsmasq.reservations.d/${hostsDir}" "$JOB/new/dnsmasq.reservations.d/${optsDir}"

  # 1. Test the candidate before anything goes live: the live conf-dir with the pushed conf
  #    files in their place, and the pushed reservations.
  view=$JOB.view
  mkdir -p "$view/dnsmasq.d"
  for f in "$CONFDIR"/*.conf; do
    if [ -f "$f" ]; then cp "$f" "$view/dnsmasq.d/"; fi
  done
  for f in $SYNCED; do
    if [ -f "$JOB/new/$f" ]; then cp "$JOB/new/$f" "$view/dnsmasq.d/\${f##*/}"; else rm -f "$view/dnsmasq.d/\${f##*/}"; fi
  done
  sed "s|^conf-dir=$CONFDIR/*,|conf-dir=$view/dnsmasq.d/,|" /etc/dnsmasq.conf > "$view/dnsmasq.conf"
  if ! why=$(dnsmasq_test "$view/dnsmasq.conf" "$JOB/new/dnsmasq.reservations.d" "$view"); then
    fail "dnsmasq --test rejected the pushed files, nothing changed: $why"
  fi

  # 2. Install by rename, keeping the previous files; 3. test what is live now.
  rm -rf "$STATE/previous"
  save_files "$STATE/previous"
  put_files "$JOB/new"
  rm -rf "$view"
  mkdir -p "$view"
  if ! why=$(dnsmasq_test /etc/dnsmasq.conf "$RES" "$view"); then
    put_files "$STATE/previous"
    # dnsmasq may have read the new hosts file by itself; a reload drops what it read.
    reload_or_restart || true
    fail "dnsmasq --test failed after installing, previous files restored: $why"
  fi

  # 4. Reload (or restart when a conf-dir file changed).
  if ! reload_or_restart; then
    put_files "$STATE/previous"
    reload_or_restart || true
    fail "could not reload dnsmasq, previous files restored"
  fi
  status "ok $APPLIED"
  say "installed the pushed reservations, dnsmasq $APPLIED"
}

case \${1:-} in
  local) cmd_local ;;
  inbox) cmd_inbox ;;
  # busybox inotifyd (OpenWrt) runs us as: PROG EVENT DIR NAME
  y) if [ "\${3:-}" = ready ]; then cmd_inbox; fi ;;
  *) echo "usage: kea2dnsmasq-apply local|inbox" >&2; exit 2 ;;
esac
`;
}

function syncScript(sourceName: string, peer: string, user: string, mode: SyncMode, other: string): string {
  const hostsDir = PATHS.hostsDir.split('/').pop()!;
  const optsDir = PATHS.optsDir.split('/').pop()!;
  const synced = SYNCED_CONF.map(etcRel).join(' ');
  return `#!/bin/sh
# kea2dnsmasq-sync: make "${other}" serve the same reservations as this server (the configuration master).
# ${generated(sourceName)}
#
# Edit the reservations here (/${PATHS.hostsDir}/, /${PATHS.optsDir}/,
# /${SYNCED_CONF[1]}), then run this as root. It
#   1. tests this server's configuration with dnsmasq --test and reloads dnsmasq here
#      (restarts it when a conf-dir file changed): kea2dnsmasq-apply local;
#   2. copies the reservations and the shared conf files (${synced})
#      with rsync over ssh to a temporary name on the peer and renames it into place there;
#   3. has the peer test the files before and after installing them and reload; when the test
#      fails there, the peer keeps (or restores) its previous files and this command exits 1
#      with dnsmasq's reason.
# Mode "${mode}": ${
    mode === 'root'
      ? 'ssh as root; the peer applies the push at once.'
      : 'ssh as an unprivileged account that can only write the inbox; a root service on the\n# peer (kea2dnsmasq-apply.path, or inotifyd on OpenWrt) applies the push, and this command waits\n# for its answer.'
  }
#
# Settings: environment, or shell assignments in /etc/default/kea2dnsmasq (read first):
#   KEA2DNSMASQ_PEER        the other server (default ${peer})
#   KEA2DNSMASQ_SYNC_USER   account there (default ${user})
#   KEA2DNSMASQ_SYNC_MODE   root | unprivileged (default ${mode})
#   KEA2DNSMASQ_SSH_OPTS    extra ssh options, e.g. "-i /root/.ssh/kea2dnsmasq -p 2222"
#   KEA2DNSMASQ_PEER_STATE  state dir on the peer (default /${SYNC_PATHS.state})
#   KEA2DNSMASQ_WAIT        seconds to wait for the peer's answer (default 60)
#   KEA2DNSMASQ_LOCAL=skip  push without testing and reloading here (e.g. while dnsmasq is
#                           stopped here for maintenance); the peer still tests everything
set -eu
umask 022
# shellcheck source=/dev/null # optional local settings
if [ -r /etc/default/kea2dnsmasq ]; then . /etc/default/kea2dnsmasq; fi
PEER=\${KEA2DNSMASQ_PEER:-${peer}}
SYNC_USER=\${KEA2DNSMASQ_SYNC_USER:-${user}}
MODE=\${KEA2DNSMASQ_SYNC_MODE:-${mode}}
SSH_OPTS=\${KEA2DNSMASQ_SSH_OPTS:-}
PEER_STATE=\${KEA2DNSMASQ_PEER_STATE:-/${SYNC_PATHS.state}}
WAIT=\${KEA2DNSMASQ_WAIT:-60}
APPLY=/${SYNC_PATHS.apply}
RES=/${PATHS.reservationsDir}

die() {
  printf 'kea2dnsmasq-sync: %s\\n' "$*" >&2
  exit 1
}

case $MODE in root|unprivileged) ;; *) die "KEA2DNSMASQ_SYNC_MODE must be root or unprivileged" ;; esac
case $PEER in
  *:*) RSYNC_PEER="[$PEER]" ;;
  *) RSYNC_PEER=$PEER ;;
esac

peer_sh() {
  # shellcheck disable=SC2086 # SSH_OPTS is a list of options
  ssh -o BatchMode=yes $SSH_OPTS "$SYNC_USER@$PEER" "$1"
}

# 1. Here.
if [ "\${KEA2DNSMASQ_LOCAL:-apply}" = skip ]; then
  echo "kea2dnsmasq-sync: KEA2DNSMASQ_LOCAL=skip: not testing or reloading dnsmasq here" >&2
else
  "$APPLY" local || die "not pushed: this server's configuration failed (see above)"
fi

# 2. Stage what is pushed: the reservation dirs and the shared conf files.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
push=$tmp/push
mkdir -p "$push/dnsmasq.d" "$push/dnsmasq.reservations.d/${hostsDir}" "$push/dnsmasq.reservations.d/${optsDir}"
for d in ${hostsDir} ${optsDir}; do
  for f in "$RES/$d"/*; do
    if [ -f "$f" ]; then cp "$f" "$push/dnsmasq.reservations.d/$d/"; fi
  done
done
for f in ${synced}; do
  if [ -f "/etc/$f" ]; then cp "/etc/$f" "$push/$f"; fi
done
TOKEN=$(date +%s).$$
echo "$TOKEN" > "$push/token"

# 3. Transfer to a temporary name, then rename into place (the peer reacts only to "ready").
if [ "$MODE" = root ]; then peer_sh "mkdir -p '$PEER_STATE/inbox'" || die "cannot reach $SYNC_USER@$PEER over ssh"; fi
rsync -rc --delete --chmod=D755,F644 -e "ssh -o BatchMode=yes $SSH_OPTS" "$push/" "$SYNC_USER@$RSYNC_PEER:$PEER_STATE/inbox/.upload/" ||
  die "rsync to $SYNC_USER@$PEER failed"
peer_sh "cd '$PEER_STATE/inbox' && rm -rf ready && mv .upload ready" || die "could not hand the files over on $PEER"

# 4. Apply there.
# The answer is the line of $PEER_STATE/status that starts with this push's token.
if [ "$MODE" = root ]; then
  answer=$(peer_sh "'$APPLY' inbox > /dev/null 2>&1
  if [ -r '$PEER_STATE/status' ] && read -r t rest < '$PEER_STATE/status' && [ \\"\\$t\\" = '$TOKEN' ]; then echo \\"\\$rest\\"; else exit 3; fi") ||
    die "$PEER did not apply the push: is $APPLY installed there?"
else
  answer=$(peer_sh "i=0; while [ \\$i -lt $WAIT ]; do
  if [ -r '$PEER_STATE/status' ] && read -r t rest < '$PEER_STATE/status' && [ \\"\\$t\\" = '$TOKEN' ]; then echo \\"\\$rest\\"; exit 0; fi
  i=\\$((i + 1)); sleep 1
done; exit 3") || die "no answer from $PEER within \${WAIT}s: is kea2dnsmasq-apply.path (or the OpenWrt kea2dnsmasq-apply service) running there?"
fi
case $answer in
  ok*) echo "kea2dnsmasq-sync: $PEER applied the reservations (\${answer#ok })" ;;
  *) die "$PEER rejected the reservations, it keeps its previous files: \${answer#failed: }" ;;
esac
`;
}

function cronScript(sourceName: string): string {
  return `#!/bin/sh
# Daily reservation sync, so the peer catches up even when nobody ran kea2dnsmasq-sync by hand.
# ${generated(sourceName)} Errors reach cron's mail; the success line does not.
exec /${SYNC_PATHS.sync} > /dev/null
`;
}

function pathUnit(sourceName: string): string {
  return `# ${generated(sourceName)}
# Starts kea2dnsmasq-apply.service when kea2dnsmasq-sync has handed over a push.
[Unit]
Description=Watch for reservations pushed by kea2dnsmasq-sync

[Path]
PathExists=/${SYNC_PATHS.state}/inbox/ready
Unit=kea2dnsmasq-apply.service

[Install]
WantedBy=paths.target
`;
}

function serviceUnit(sourceName: string): string {
  return `# ${generated(sourceName)}
# Tests the pushed reservations with dnsmasq --test, installs them, reloads dnsmasq (restarts it
# when a conf-dir file changed); restores the previous files on failure. Result in
# /${SYNC_PATHS.state}/status, which kea2dnsmasq-sync on the master reads.
[Unit]
Description=Apply reservations pushed by kea2dnsmasq-sync
After=dnsmasq.service

[Service]
Type=oneshot
ExecStart=/${SYNC_PATHS.apply} inbox
`;
}

function tmpfiles(sourceName: string, user: string): string {
  return `# ${generated(sourceName)}
# The sync's state dir, and the inbox the account "${user}" (used by kea2dnsmasq-sync over ssh)
# may write. Create the account first, e.g. useradd --system --shell /bin/sh ${user}.
d /${SYNC_PATHS.state} 0755 root root -
d /${SYNC_PATHS.state}/inbox 0700 ${user} ${user} -
`;
}

function openwrtInit(sourceName: string, user: string): string {
  return `#!/bin/sh /etc/rc.common
# OpenWrt: apply reservations pushed by kea2dnsmasq-sync as soon as they arrive (busybox inotifyd
# watches the inbox of the account "${user}"; the busybox build needs the inotifyd applet).
# ${generated(sourceName)}
# shellcheck disable=SC2034 # START and USE_PROCD are read by /etc/rc.common
START=99
USE_PROCD=1
STATE=/${SYNC_PATHS.state}

start_service() {
	mkdir -p "$STATE/inbox"
	chown ${user} "$STATE/inbox"
	chmod 700 "$STATE/inbox"
	# anything pushed while this service was down
	/${SYNC_PATHS.apply} inbox || true
	procd_open_instance
	procd_set_param command /bin/busybox inotifyd /${SYNC_PATHS.apply} "$STATE/inbox:y"
	procd_set_param respawn
	procd_close_instance
}
`;
}
