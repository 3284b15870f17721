#!/usr/bin/env bash
# The smallest Maelstrom node there is: answers init, topology, broadcast and
# read (always with no messages) and nothing else. It starts in a few
# milliseconds, so a harness benchmark that runs it measures the harness's
# own start-up and shut-down cost rather than a language runtime's boot time.
# (Its reads are empty, so a broadcast test of it is, correctly, invalid.)
while IFS= read -r line; do
  [[ $line =~ \"msg_id\":([0-9]+) ]] || continue
  id=${BASH_REMATCH[1]}
  [[ $line =~ \"src\":\"([^\"]+)\" ]] && src=${BASH_REMATCH[1]}
  [[ $line =~ \"dest\":\"([^\"]+)\" ]] && me=${BASH_REMATCH[1]}
  [[ $line =~ \"type\":\"([a-z_]+)\" ]] || continue
  case ${BASH_REMATCH[1]} in
    init) reply='"type":"init_ok"' ;;
    topology) reply='"type":"topology_ok"' ;;
    broadcast) reply='"type":"broadcast_ok"' ;;
    read) reply='"type":"read_ok","messages":[]' ;;
    *) reply='"type":"error","code":10,"text":"not supported"' ;;
  esac
  printf '{"src":"%s","dest":"%s","body":{%s,"in_reply_to":%s}}\n' "$me" "$src" "$reply" "$id"
done
