#include "dialog/intent_library.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>

#include "dialog/intent_classifier.h"
#include "util/text.h"

namespace parley::dialog {
namespace {

// A pattern votes for the library intent it matches at this calibrated confidence or more. At 0.5
// a room-rates intent took the shipping-cost messages ("多少钱"); 0.85-0.9 are alike on the blind
// sets, 0.95 leaves out too many.
constexpr double kVoteConfidence = 0.85;

// A classifier over the library's own messages (about 25 ms to train). Built for each flow load
// and dropped after it rather than kept: it holds a few megabytes, and flows load rarely.
std::unique_ptr<IntentClassifier> LibraryClassifier(
    const std::shared_ptr<const nlp::Normalizer>& normalizer, bool models) {
  auto classifier = std::make_unique<IntentClassifier>(normalizer, 0.0, 0.0);
  // The flow's patterns are its own business by definition: a hotel's "酒店几点退房" is no
  // message about another business here.
  classifier->set_other_domains(false);
  classifier->set_models(models ? IntentClassifier::Models::kLibrary
                                : IntentClassifier::Models::kNone);
  std::vector<IntentSpec> specs;
  for (const auto& li : IntentLibrary()) {
    IntentSpec s;
    s.name = li.id;
    s.patterns = li.Messages();
    specs.push_back(std::move(s));
  }
  // Each intent is its library intent: the library model weighs their scores too, so a pattern
  // votes for the library intent the model agrees with.
  std::vector<Borrowed> self(specs.size());
  for (size_t i = 0; i < self.size(); ++i) self[i].library = static_cast<int>(i);
  classifier->Train(specs, self);
  return classifier;
}

}  // namespace

std::vector<std::string> LibraryIntent::Messages() const {
  std::vector<std::string> out(zh.begin(), zh.end());
  out.insert(out.end(), en.begin(), en.end());
  return out;
}

const std::vector<LibraryIntent>& IntentLibrary() {
  static const std::vector<LibraryIntent> kLibrary = [] {
    std::vector<LibraryIntent> library = {
#include "dialog/intent_library_digital.inc"
#include "dialog/intent_library_money.inc"
#include "dialog/intent_library_orders.inc"
#include "dialog/intent_library_service2.inc"
#include "dialog/intent_library_shop2.inc"
#include "dialog/intent_library_talk.inc"
    };
    // Written later, by id: each joins the entry of its id. With them, the softmax models (which
    // train with dropout) and the borrowing intents gained on all but one group of blind sets; see
    // docs/dialog.md (Evaluation).
    const std::vector<LibraryIntent> more = {
#include "dialog/intent_library_more.inc"
    // Then the messages on the borders between intents (kept in this order: the models train on
    // the messages in it).
#include "dialog/intent_library_boundaries.inc"
    };
    for (const auto& m : more) {
      const auto it = std::find_if(library.begin(), library.end(), [&](const LibraryIntent& l) {
        return std::string_view(l.id) == m.id;
      });
      if (it == library.end()) {  // a typo in the data: every test that classifies fails on it
        throw std::logic_error(std::string("intent_library_more.inc: unknown id ") + m.id);
      }
      it->zh.insert(it->zh.end(), m.zh.begin(), m.zh.end());
      it->en.insert(it->en.end(), m.en.begin(), m.en.end());
    }
    return library;
  }();
  return kLibrary;
}

int FindLibraryIntent(std::string_view id) {
  const auto& lib = IntentLibrary();
  for (size_t i = 0; i < lib.size(); ++i) {
    if (id == lib[i].id) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> LibraryIdsLike(std::string_view id) {
  auto words = [](std::string_view s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find('_', start);
      if (end == std::string_view::npos) end = s.size();
      if (end - start >= 3) out.push_back(text::ToLower(s.substr(start, end - start)));
      start = end + 1;
    }
    return out;
  };
  const auto wanted = words(id);
  std::vector<std::string> like, all;
  // A shared word, or one that starts the other ("refundz" and "refund_status").
  const auto near = [](const std::string& a, const std::string& b) {
    return a.rfind(b, 0) == 0 || b.rfind(a, 0) == 0;
  };
  for (const auto& li : IntentLibrary()) {
    all.push_back(li.id);
    bool hit = false;
    for (const auto& w : words(li.id)) {
      for (const auto& v : wanted) hit = hit || near(w, v);
    }
    if (hit) like.push_back(li.id);
  }
  return like.empty() ? all : like;
}

std::vector<LibraryMatch> MatchLibrary(const std::vector<IntentSpec>& intents,
                                       const std::shared_ptr<const nlp::Normalizer>& normalizer,
                                       bool models) {
  std::vector<LibraryMatch> out(intents.size());
  if (IntentLibrary().empty()) return out;
  const auto classifier = LibraryClassifier(normalizer, models);
  const IntentClassifier& lib = *classifier;
  std::map<int, std::vector<size_t>> claims;  // library intent -> flow intents claiming it
  std::set<int> pinned;                       // library intents the flow names (`library: <id>`)
  for (size_t i = 0; i < intents.size(); ++i) {
    const IntentSpec& in = intents[i];
    // A form's cancel command ("算了", "cancel") is no cancelled order.
    if (in.library == "none" || in.action == IntentAction::kCancel) continue;
    if (!in.library.empty()) {
      out[i].library = FindLibraryIntent(in.library);
      pinned.insert(out[i].library);
      continue;
    }
    std::map<int, int> votes;
    for (const auto& p : in.patterns) {
      const Classification c = lib.Classify(normalizer->ForMatching(p));
      if (!c.top.name.empty() && c.top.confidence >= kVoteConfidence) {
        ++votes[FindLibraryIntent(c.top.name)];
      }
    }
    // By votes, most first.
    std::vector<std::pair<int, int>> ranked;
    for (auto [id, n] : votes) ranked.emplace_back(n, id);
    std::sort(ranked.rbegin(), ranked.rend());
    const int size = static_cast<int>(in.patterns.size());
    if (!ranked.empty() && ranked[0].first >= 2 && 2 * ranked[0].first > size) {
      out[i] = {ranked[0].second, ranked[0].first};
    } else if (ranked.size() >= 2 && ranked[1].first >= 2 &&
               (ranked.size() == 2 || ranked[2].first < ranked[1].first) &&
               2 * (ranked[0].first + ranked[1].first) > size) {
      out[i] = {ranked[0].second, ranked[0].first, ranked[1].second};
    }
    if (out[i].library >= 0) claims[out[i].library].push_back(i);
  }
  for (auto& [id, who] : claims) {
    // An intent the flow pinned to this library intent keeps it to itself.
    if (pinned.count(id)) {
      for (size_t i : who) out[i] = {};
      continue;
    }
    if (who.size() < 2) continue;
    int best = 0, at_best = 0;
    for (size_t i : who) {
      if (out[i].votes > best) best = out[i].votes, at_best = 0;
      if (out[i].votes == best) ++at_best;
    }
    for (size_t i : who) {
      if (out[i].votes < best || at_best > 1) out[i] = {};
    }
  }
  // A second library intent that another intent of the flow has, or names, stays with it.
  std::set<int> taken = pinned;
  for (const auto& m : out) {
    if (m.library >= 0) taken.insert(m.library);
  }
  for (auto& m : out) {
    if (m.library < 0 || taken.count(m.second)) m.second = -1;
  }
  return out;
}

std::vector<Borrowed> BorrowedMessages(const std::vector<LibraryMatch>& matches) {
  std::vector<Borrowed> out(matches.size());
  for (size_t i = 0; i < matches.size(); ++i) {
    if (matches[i].library >= 0) out[i].messages = IntentLibrary()[matches[i].library].Messages();
    if (matches[i].second >= 0) out[i].second = IntentLibrary()[matches[i].second].Messages();
    out[i].library = matches[i].library;
    out[i].second_library = matches[i].second;
  }
  return out;
}

}  // namespace parley::dialog
