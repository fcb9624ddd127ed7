// The intent library: many example messages, Chinese and English, for the intents nearly every
// customer-service flow has (where is my order, refund status, talk to a person, opening
// hours...), written for Parley (src/dialog/intent_library_*.inc). A flow's intent whose own
// patterns clearly are one of them borrows its messages as extra patterns, so a flow with 4-6
// patterns per intent still meets the many ways customers word the same need.
//
// Everything here is immutable after first use and safe to call from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dialog/flow.h"
#include "dialog/intent_classifier.h"
#include "nlp/normalizer.h"

namespace parley::dialog {

struct LibraryIntent {
  const char* id;
  std::vector<const char*> zh, en;

  std::vector<std::string> Messages() const;  // the Chinese ones, then the English ones
};

// Every library intent, in a fixed order.
const std::vector<LibraryIntent>& IntentLibrary();
// Index of the library intent `id` in IntentLibrary(), or -1.
int FindLibraryIntent(std::string_view id);
// The library ids that share a word of at least three letters with `id` ("refund" in
// "refund_status"), or whose word starts one of its words; all of them when none does. For error
// messages.
std::vector<std::string> LibraryIdsLike(std::string_view id);

struct LibraryMatch {
  int library = -1;  // index into IntentLibrary(); -1: none
  int votes = 0;     // patterns of the flow's intent that chose it (0 when named by the flow)
  int second = -1;   // a second library intent, when the patterns split between two; -1: none
};

// The library intent each of `intents` is. An intent naming one (`library: <id>`) gets it; one
// naming "none" gets none; otherwise most of its patterns (and at least two) must match the same
// library intent with confidence, and when several intents of the flow claim the same library
// intent, the one with the most such patterns gets it (none on a tie). An intent whose patterns
// split between two library intents (at least two each, together most of them, a clear first
// and second) gets the first and, as `second`, the other, unless another intent of the flow has
// that one ("modify my order" and "change my shipping address" in one intent).
// `models`: the library's softmax model weighs the votes (a flow's `intent_models`).
std::vector<LibraryMatch> MatchLibrary(const std::vector<IntentSpec>& intents,
                                       const std::shared_ptr<const nlp::Normalizer>& normalizer,
                                       bool models = true);

// For each matched intent, its library intents' messages (IntentClassifier::Train's `borrowed`).
std::vector<Borrowed> BorrowedMessages(const std::vector<LibraryMatch>& matches);

}  // namespace parley::dialog
