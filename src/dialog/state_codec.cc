// JSON encoding of SessionState for the store's state blob.
#include <nlohmann/json.hpp>

#include "dialog/state.h"

namespace parley::dialog {

std::string EncodeState(const SessionState& s) {
  nlohmann::json recent = nlohmann::json::array();
  for (const auto& m : s.recent) recent.push_back({{"role", m.role}, {"content", m.content}});
  const nlohmann::json j = {{"v", 1},
                            {"active_intent", s.active_intent},
                            {"form", s.form},
                            {"pending_slot", s.pending_slot},
                            {"reasks", s.reasks},
                            {"slots", s.slots},
                            {"entities_seen", s.entities_seen},
                            {"emotion", s.emotion},
                            {"sentiment", s.sentiment},
                            {"handoff", s.handoff},
                            {"recent", recent}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
