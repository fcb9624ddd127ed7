// JSON encoding of SessionState for the store's state blob.
#include <nlohmann/json.hpp>

#include "dialog/state.h"
#include "util/json_writer.h"

namespace parley::dialog {

std::string EncodeState(const SessionState& s) {
  // Written on every turn: straight to text, no JSON tree.
  JsonWriter w;
  w.BeginObject().Key("v").Int(1);
  w.Key("active_intent").String(s.active_intent);
  w.Key("form").String(s.form);
  w.Key("pending_slot").String(s.pending_slot);
  w.Key("reasks").Int(s.reasks);
  w.Key("slots").StringMap(s.slots);
  w.Key("entities_seen").StringMap(s.entities_seen);
  w.Key("emotion").String(s.emotion);
  w.Key("sentiment").String(s.sentiment);
  // `recent` is left out: the turns table holds those messages, and a session read back from
  // the store gets them from there (blobs written before still carry it, and are read).
  w.Key("handoff").Bool(s.handoff).EndObject();
  return w.Take();
}

SessionState DecodeState(const std::string& blob) {
  SessionState s;
  if (blob.empty()) return s;
  try {
    const auto j = nlohmann::json::parse(blob);
    if (j.value("v", 0) != 1) return s;
    s.active_intent = j.value("active_intent", "");
    s.form = j.value("form", "");
    s.pending_slot = j.value("pending_slot", "");
    s.reasks = j.value("reasks", 0);
    s.slots = j.value("slots", std::map<std::string, std::string>{});
    s.entities_seen = j.value("entities_seen", std::map<std::string, std::string>{});
    s.emotion = j.value("emotion", "neutral");
    s.sentiment = j.value("sentiment", "neutral");
    s.handoff = j.value("handoff", false);
    for (const auto& m : j.value("recent", nlohmann::json::array())) {
      s.recent.push_back({m.value("role", ""), m.value("content", "")});
    }
  } catch (const nlohmann::json::exception&) {
    return SessionState();
  }
  return s;
}

}  // namespace parley::dialog
