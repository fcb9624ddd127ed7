#include "dialog/intent_classifier.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "dialog/intent_library.h"
#include "nlp/tokenizer.h"

namespace parley::dialog {
namespace {

constexpr double kPatternWeight = 0.6;  // best single pattern vs. the intent's centroid

// A message borrowed from the intent library (intent_library.h) counts this much of a pattern
// the flow's author wrote: the author's own words are the surer evidence of what the intent
// means in this business. 0.6-0.8 are alike on the blind sets; 1 (full weight) and putting the
// borrowed messages into the centroid both cost about 1 point in scope.
constexpr double kBorrowedWeight = 0.75;

// The flow's softmax model (TrainFlowModel): each pattern counts as this many examples (1 and 6
// did about as well as 3), and it is trained in this many passes, fewer than the library model's
// since it is trained at every flow load (8 passes cost about 0.3 s; 15 did about 0.3 points
// better).
constexpr int kOwnRepeats = 3;
constexpr int kFlowModelPasses = 8;
constexpr size_t kMaxFlowModelIntents = 400;

constexpr double kNoWordFactor = 0.5;  // a pattern sharing no whole word with the message
constexpr double kKeywordBoost = 0.6;  // share of the remaining gap a keyword hit closes
// A thesaurus concept in the message that no pattern has weighs this much more than other
// unknown features. It names a thing or an act the flow never mentions ("netflix subscription"
// beside a cancel-booking intent, "比特币" beside room rates): the message is about something
// else. On the blind sets at threshold 0.3, out of scope 0.58 -> 0.69, in scope 0.76 -> 0.74,
// a better trade than raising the threshold (0.4: 0.69 / 0.72).
constexpr double kUnknownConceptFactor = 2.0;

// Another business or topic (nlp/domains.inc: 外卖, netflix, 个人所得税, the DMV) that neither
// the flow's patterns nor its responses mention weighs this much in a message's norm (times the
// unknown idf), about six concepts' worth: such a message is about something else even when the
// rest reuses the flow's words ("cancel my netflix subscription" beside cancel_order), so in
// practice it falls back. Out-of-scope recall at threshold 0.3 on the blind sets: 0.786 -> 0.866
// (the fourteen older ones), 0.771 -> 0.886 (the four newest), 0.737 -> 0.838 (the five generic
// customer-service ones); in scope 0.747 -> 0.745, 0.659 -> 0.656, 0.780 -> 0.780 (3 of 2,144
// lines lost: a hotel guest's flight, a KFC's opening hours asked of a food-delivery app, a
// calculus textbook). 28 and more are alike; 14 gets about half of it.
constexpr double kUnknownDomainWeight = 40.0;

// Tuned with `parley eval intents` on eval/customer_service_dev.jsonl (flow without keywords):
// single Chinese characters carry much of the meaning (退, 钱, 付), and English trigrams absorb
// typos; whole words stay the strongest evidence per feature.
float KindWeight(nlp::FeatureKind k) {
  switch (k) {
    case nlp::FeatureKind::kWord:
      return 1.0f;
    case nlp::FeatureKind::kStopWord:
      return 0.3f;
    case nlp::FeatureKind::kHanChar:
      return 1.5f;
    case nlp::FeatureKind::kHanBigram:
      return 0.5f;
    case nlp::FeatureKind::kTrigram:
      return 0.8f;
    case nlp::FeatureKind::kDomain:
      return 1.0f;  // where the patterns mention it, a word like any other
    case nlp::FeatureKind::kConcept:
      // A shared meaning (nlp/concepts.cc) is the best evidence there is: the thesaurus links
      // what people write to what the patterns say. 3 until 2026-12-07; 7 on the 14 blind sets:
      // in-scope accuracy at 70% out-of-scope recall 0.73 -> 0.75 (twelve older sets) and 0.61
      // -> 0.71 (the two whose errors were never read); 6-8 are alike.
      return 7.0f;
  }
  return 1.0f;
}

void Normalize(std::vector<std::pair<int, float>>* v) {
  double norm = 0;
  for (auto& [_, w] : *v) norm += double(w) * w;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (auto& [_, w] : *v) w = static_cast<float>(w / norm);
  }
}

}  // namespace

IntentClassifier::IntentClassifier(std::shared_ptr<const nlp::Normalizer> normalizer,
                                   double threshold, double margin)
    : normalizer_(std::move(normalizer)), threshold_(threshold), margin_(margin) {}

IntentClassifier::Sparse IntentClassifier::Vectorize(const std::vector<nlp::Feature>& features) {
  Sparse out;
  std::map<int, float> tf;
  for (const auto& f : features) {
    auto it = vocab_.find(f.key);
    if (it == vocab_.end()) {
      it = vocab_.emplace(f.key, FeatureIds{features_++}).first;
      kind_weight_.push_back(KindWeight(f.kind));
      is_word_.push_back(f.kind == nlp::FeatureKind::kWord ||
                         f.kind == nlp::FeatureKind::kConcept ||
                         f.kind == nlp::FeatureKind::kDomain);
    }
    tf[it->second.id] += 1;
  }
  for (auto [id, n] : tf) out.emplace_back(id, n);
  return out;
}

IntentClassifier::Sparse IntentClassifier::VectorizeConst(std::string_view normalized,
                                                          std::string* other_domain,
                                                          ModelRows* rows, double* known) const {
  // Features unknown to the patterns still count in the norm (at the highest idf), so words the
  // flow never mentions pull the similarity down: that is what makes out-of-scope detectable.
  // Weighed as a feature no pattern has would be by pattern counts: above the rarest known
  // feature (whose idf counts intents), as features the flow never mentions are the sign of a
  // message about something else.
  // The flow's own patterns only: borrowed messages would raise it with every library intent.
  const float unknown_idf = std::log(float(own_patterns_ + 1)) + 1;
  std::vector<int> ids;  // known features, sorted below so repeats sit together
  double unknown = 0;
  thread_local std::vector<nlp::Feature> features;
  nlp::Features(normalized, &known_words_, &features);
  if (rows) {
    rows->flow.clear();
    rows->library.clear();
  }
  for (const auto& f : features) {
    const auto it = vocab_.find(f.key);
    if (it != vocab_.end() && rows) {
      if (it->second.flow >= 0) rows->flow.push_back(it->second.flow);
      if (it->second.library >= 0) rows->library.push_back(it->second.library);
    }
    if (it != vocab_.end() && it->second.id >= 0) {
      ids.push_back(it->second.id);
      continue;
    }
    double w = KindWeight(f.kind) * unknown_idf;
    if (f.kind == nlp::FeatureKind::kConcept) {
      w *= kUnknownConceptFactor;
    } else if (f.kind == nlp::FeatureKind::kDomain) {
      if (home_domains_.count(f.key)) continue;  // the business itself (a hotel's responses)
      if (other_domains_) {
        w = kUnknownDomainWeight * unknown_idf;
        // "k:@food_delivery_app" -> "food_delivery_app"
        if (other_domain && other_domain->empty()) *other_domain = f.key.substr(3);
      }
    }
    unknown += w * w;
  }
  if (rows) {  // a feature twice in the message is one row
    for (auto* r : {&rows->flow, &rows->library}) {
      std::sort(r->begin(), r->end());
      r->erase(std::unique(r->begin(), r->end()), r->end());
    }
  }
  std::sort(ids.begin(), ids.end());
  Sparse out;
  double norm = unknown;
  for (size_t i = 0; i < ids.size();) {
    const int id = ids[i];
    size_t n = 0;
    for (; i < ids.size() && ids[i] == id; ++i) ++n;
    const float w = (1 + std::log(float(n))) * idf_[id] * kind_weight_[id];
    out.emplace_back(id, w);
    norm += double(w) * w;
  }
  if (known) *known = norm > 0 ? 1 - unknown / norm : 0;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (auto& [_, w] : out) w = static_cast<float>(w / norm);
  }
  return out;
}

void IntentClassifier::SetEmbedder(std::shared_ptr<Embedder> embedder, double weight) {
  embedder_ = std::move(embedder);
  embedding_weight_ = embedder_ ? std::clamp(weight, 0.0, 1.0) : 0;
}

std::vector<float> IntentClassifier::EmbedNormalized(std::string_view text) const {
  if (!embedder_) return {};
  auto v = embedder_->Embed(text);
  if (!v.ok() || v->empty()) return {};
  double norm = 0;
  for (float f : *v) norm += double(f) * f;
  if (norm <= 0) return {};
  const float inv = static_cast<float>(1 / std::sqrt(norm));
  for (float& f : *v) f *= inv;
  return std::move(*v);
}

void IntentClassifier::Train(const std::vector<IntentSpec>& intents,
                             const std::vector<Borrowed>& borrowed) {
  std::vector<Sparse> raw;  // term counts per pattern, before idf
  // The features of the flow's patterns and of the messages each intent borrows first: a second
  // library intent's messages may use only these. Whole, they made words known to the flow that
  // nothing of it has, so messages about other things weighed less against a match
  // ("how many calories are in a banana" went to a damaged-item intent). Only a flow with a
  // second library intent reads those texts this extra time, at load.
  std::unordered_set<std::string> shared;
  auto share = [&](const std::vector<std::string>& texts) {
    for (const auto& t : texts) {
      for (auto& f : nlp::Features(normalizer_->ForMatching(t))) shared.insert(std::move(f.key));
    }
  };
  if (std::any_of(borrowed.begin(), borrowed.end(),
                  [](const Borrowed& b) { return !b.second.empty(); })) {
    for (size_t i = 0; i < intents.size(); ++i) {
      share(intents[i].patterns);
      if (i < borrowed.size()) share(borrowed[i].messages);
    }
  }
  for (size_t i = 0; i < intents.size(); ++i) {
    intents_.push_back(intents[i].name);
    intent_pattern_count_.push_back(static_cast<int>(intents[i].patterns.size()));
    // A pattern of intent i: its term counts, and whether it is lent (weaker evidence, kept out
    // of the intent's centroid, never an exact match).
    auto add = [&](Sparse counts, bool lent, std::vector<float> embedding) {
      raw.push_back(std::move(counts));
      pattern_embeddings_.push_back(std::move(embedding));
      pattern_intent_.push_back(static_cast<int>(i));
      borrowed_.push_back(lent);
      own_patterns_ += lent ? 0 : 1;
    };
    // `second`: a message of a second library intent (Borrowed).
    auto add_text = [&](const std::string& p, bool lent, bool second = false) {
      const std::string norm = normalizer_->ForMatching(p);
      // A borrowed message is no exact match: the library entry is a guess at the intent.
      if (!lent) exact_.emplace(norm, static_cast<int>(i));
      if (!second) {
        for (auto& w : nlp::Words(norm)) {
          if (!nlp::HasHan(w)) known_words_.insert(std::move(w));
        }
      }
      auto features = nlp::Features(norm);
      if (second) std::erase_if(features, [&](const auto& f) { return !shared.count(f.key); });
      // The library's messages do not make another business the flow's own ("book a table" in
      // a restaurant's entry is still no restaurant for this flow).
      if (lent) {
        std::erase_if(features, [](const auto& f) { return f.kind == nlp::FeatureKind::kDomain; });
      }
      // Borrowed messages are not embedded: a model generalises from the flow's own patterns,
      // and embedding the library's messages too would add seconds to every start.
      add(Vectorize(features), lent, lent ? std::vector<float>() : EmbedNormalized(norm));
    };
    intent_begin_.push_back(static_cast<int>(pattern_intent_.size()));
    library_of_.emplace_back(i < borrowed.size() ? borrowed[i].library : -1,
                             i < borrowed.size() ? borrowed[i].second_library : -1);
    for (const auto& p : intents[i].patterns) add_text(p, false);
    if (i < borrowed.size()) {
      for (const auto& p : borrowed[i].messages) add_text(p, true);
      for (const auto& p : borrowed[i].second) add_text(p, true, true);
    }
    // What the responses talk of: a domain they name is the business's own, though no pattern
    // says it; the concepts they name ("we accept credit cards", 信用卡) make one more lent
    // pattern, since customers ask about what the answer covers. With it, in-scope accuracy on
    // the 23 blind sets rose 0.738 -> 0.751 at the threshold, out of scope 0.863 -> 0.860.
    std::vector<nlp::Feature> said;
    for (const auto& r : intents[i].responses) {
      for (auto& f : nlp::Features(normalizer_->ForMatching(r.text))) {
        if (f.kind == nlp::FeatureKind::kDomain) home_domains_.insert(f.key);
        const bool again =
            std::any_of(said.begin(), said.end(), [&](const auto& s) { return s.key == f.key; });
        if (f.kind == nlp::FeatureKind::kConcept && !again) said.push_back(std::move(f));
      }
    }
    if (!said.empty()) add(Vectorize(said), true, {});
    for (const auto& k : intents[i].keywords) {
      const std::string norm = normalizer_->ForMatching(k);
      if (!norm.empty()) keywords_.emplace_back(norm, static_cast<int>(i));
    }
  }
  // Document frequency counts intents, not patterns: a word in all five patterns of one intent
  // is that intent's best evidence, not a common word. Counted per pattern, the idf punished
  // exactly the words a flow author repeats; per intent, on the 14 blind sets in-scope accuracy
  // at 75% out-of-scope recall rose 0.726 -> 0.741.
  intent_begin_.push_back(static_cast<int>(pattern_intent_.size()));
  std::vector<int> df(features_, 0), last_intent(features_, -1);
  for (size_t p = 0; p < raw.size(); ++p) {
    for (auto [id, _] : raw[p]) {
      if (last_intent[id] == pattern_intent_[p]) continue;
      last_intent[id] = pattern_intent_[p];
      ++df[id];
    }
  }
  const double n = static_cast<double>(intents_.size());
  idf_.resize(features_);
  for (int id = 0; id < features_; ++id) {
    idf_[id] = static_cast<float>(std::log((n + 1) / (df[id] + 1)) + 1);
  }
  pattern_postings_.assign(features_, {});
  centroid_postings_.assign(features_, {});
  std::vector<std::map<int, float>> centroids(intents_.size());
  std::vector<Sparse> vectors;
  for (size_t p = 0; p < raw.size(); ++p) {
    Sparse v = raw[p];
    for (auto& [id, count] : v) count = (1 + std::log(count)) * idf_[id] * kind_weight_[id];
    Normalize(&v);
    // The borrowed weight is folded into the postings, so scoring a message needs no per-pattern
    // factor for it.
    const float scale = borrowed_[p] ? static_cast<float>(kBorrowedWeight) : 1.0f;
    for (auto [id, w] : v) {
      pattern_postings_[id].emplace_back(static_cast<int>(p), w * scale);
      if (!borrowed_[p]) centroids[pattern_intent_[p]][id] += w;  // the author's own meaning
    }
    vectors.push_back(std::move(v));
  }
  for (size_t i = 0; i < centroids.size(); ++i) {
    Sparse c(centroids[i].begin(), centroids[i].end());
    Normalize(&c);
    for (auto [id, w] : c) centroid_postings_[id].emplace_back(static_cast<int>(i), w);
  }
  if (AnyBorrows() && models_ != Models::kNone) library_model_ = &LibraryModel(*normalizer_);
  if (library_model_) {
    if (models_ == Models::kBoth) TrainFlowModel(intents);
    // Where each feature is in the library model, beside its id: one lookup finds all three.
    library_model_->ForEachFeature(
        [&](const std::string& key, int row) { vocab_[key].library = row; });
  }
  // The Platt curve, for a flow whose confidence is not the learned one.
  if (!learned_confidence()) FitCalibration(vectors);
}

bool IntentClassifier::AnyBorrows() const {
  return std::any_of(library_of_.begin(), library_of_.end(),
                     [](const auto& l) { return l.first >= 0; });
}

// The flow's model learns its intents from their patterns (each counted kOwnRepeats times: the
// author's words are the surer evidence) and the messages they borrow, beside the library
// intents none of them borrows, each a class of its own that stands for something the flow does
// not cover.
void IntentClassifier::TrainFlowModel(const std::vector<IntentSpec>& intents) {
  // Training holds a dense matrix of features by classes: a flow of 400 intents loads in 0.9 s
  // and 77 MB at its peak, one of 1,000 in 2.3 s and 128 MB (0.4 s and 36 MB without the model).
  // Larger flows do without it (the library model still weighs their borrowing intents).
  if (intents.size() > kMaxFlowModelIntents) return;
  auto library = LibraryFeatures(*normalizer_);
  std::vector<char> borrowed(library.size(), 0);
  SoftmaxModel::Examples examples;
  for (size_t i = 0; i < intents.size(); ++i) {
    const int klass = static_cast<int>(i);
    for (const auto& p : intents[i].patterns) {
      const auto features = nlp::Features(normalizer_->ForMatching(p));
      for (int r = 0; r < kOwnRepeats; ++r) examples.emplace_back(klass, features);
    }
    for (const int lib : {library_of_[i].first, library_of_[i].second}) {
      if (lib < 0) continue;
      borrowed[lib] = 1;
      for (const auto& f : library[lib]) examples.emplace_back(klass, f);
    }
  }
  int classes = static_cast<int>(intents.size());
  for (size_t lib = 0; lib < library.size(); ++lib) {
    if (borrowed[lib]) continue;
    for (auto& f : library[lib]) examples.emplace_back(classes, std::move(f));
    ++classes;
  }
  auto model = SoftmaxModel::Fit(std::move(examples), classes, kFlowModelPasses);
  // The classifier's own map finds the model's rows (vocab_), so the model keeps no keys.
  model->ForEachFeature([&](const std::string& key, int row) { vocab_[key].flow = row; });
  model->DropVocabulary();
  flow_model_ = std::move(model);
}

std::vector<double> IntentClassifier::Scores(const Sparse& x, std::string_view keyword_text,
                                             int skip_pattern,
                                             const std::vector<float>& embedding) const {
  // Per-thread scratch, reused: a flow's pattern count of doubles is too large for malloc's
  // per-thread cache and would cost a trip into its arenas on every message.
  thread_local std::vector<double> pattern_sim, centroid_sim, best, embedded;
  thread_local std::vector<char> word_hit;
  pattern_sim.assign(pattern_intent_.size(), 0);
  centroid_sim.assign(intents_.size(), 0);
  word_hit.assign(pattern_intent_.size(), 0);
  best.assign(intents_.size(), 0);
  embedded.assign(intents_.size(), 0);
  // Plain pointers: a thread_local is looked up again on every access in these loops.
  double* const psim = pattern_sim.data();
  char* const hit = word_hit.data();
  double* const csim = centroid_sim.data();
  for (auto [id, w] : x) {
    const char word = is_word_[id];
    for (auto [p, pw] : pattern_postings_[id]) {
      psim[p] += double(w) * pw;
      hit[p] |= word;
    }
    for (auto [i, cw] : centroid_postings_[id]) csim[i] += double(w) * cw;
  }
  // An intent's patterns sit together (Train adds them intent by intent): its best is kept in a
  // register rather than written back for every pattern.
  for (size_t i = 0; i < intents_.size(); ++i) {
    double m = 0;
    for (int p = intent_begin_[i]; p < intent_begin_[i + 1]; ++p) {
      // Sharing only characters or trigrams with a pattern, never a whole word, is weaker
      // evidence ("天气" and "聊天" share a character, not a meaning).
      const double sim = psim[p] * (hit[p] ? 1.0 : kNoWordFactor);
      if (p != skip_pattern) m = std::max(m, sim);
    }
    best[i] = m;
  }
  if (!embedding.empty()) {
    for (size_t p = 0; p < pattern_sim.size(); ++p) {
      if (static_cast<int>(p) == skip_pattern) continue;
      if (pattern_embeddings_[p].size() != embedding.size()) continue;
      double cos = 0;
      for (size_t k = 0; k < embedding.size(); ++k) {
        cos += double(embedding[k]) * pattern_embeddings_[p][k];
      }
      auto& e = embedded[pattern_intent_[p]];
      e = std::max(e, cos);
    }
  }
  std::vector<double> score(intents_.size());
  for (size_t i = 0; i < score.size(); ++i) {
    // With its only pattern left out, an intent's centroid is that pattern: do not use it.
    const bool alone = skip_pattern >= 0 && pattern_intent_[skip_pattern] == int(i) &&
                       intent_pattern_count_[i] <= 1;
    // Leave-one-out scoring uses the patterns only: the centroid still contains the pattern.
    score[i] = alone ? 0
               : skip_pattern >= 0
                   ? best[i]
                   : kPatternWeight * best[i] + (1 - kPatternWeight) * centroid_sim[i];
  }
  if (!embedding.empty()) {
    for (size_t i = 0; i < score.size(); ++i) {
      score[i] = (1 - embedding_weight_) * score[i] + embedding_weight_ * embedded[i];
    }
  }
  if (skip_pattern < 0) {
    for (const auto& [kw, i] : keywords_) {
      if (keyword_text.find(kw) != std::string_view::npos) {
        score[i] += kKeywordBoost * (1 - score[i]);
      }
    }
  }
  return score;
}

}  // namespace parley::dialog
