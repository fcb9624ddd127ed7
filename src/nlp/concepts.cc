#include "nlp/concepts.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "nlp/concept_tables.h"
#include "nlp/tokenizer.h"
#include "util/aho_corasick.h"

namespace parley::nlp {
namespace {

// Phrases in which a term means something else, common enough in customer chat to matter: inside
// the phrase that one term does not count (the phrase's other terms still do: "return flight"
// is still a flight). Domains' terms too: a charge from the shop "on my credit card statement"
// (信用卡账单上) is the shop's business, the bank's bill is not.
struct NotATerm {
  std::string phrase, term;
};
struct Blockers {
  std::vector<NotATerm> zh, en;
};
const Blockers& NotConcepts() {
  static const Blockers kBlockers = [] {
    Blockers b = {{{"微积分", "积分"},
                   {"你好像", "你好"},
                   {"你好好", "你好"},
                   {"现在吗", "在吗"},
                   {"实在吗", "在吗"},
                   {"不错了", "错了"},
                   {"多少了", "少了"},
                   {"几天到账", "几天到"},
                   {"多久能到账", "多久能到"},
                   {"几天能到账", "几天能到"},
                   {"货到付款", "到付"},
                   {"多少东西", "少东西"},
                   {"有没有效果", "没有效果"},
                   {"值不值", "不值"},
                   {"大约明天", "约明天"},
                   {"大约后天", "约后天"},
                   {"大约今天", "约今天"},
                   {"最多住", "多住"},
                   {"不再续", "再续"},
                   {"改签收", "签收"},
                   {"充值到账", "到账"},
                   {"充值没到账", "到账"},
                   {"充值未到账", "到账"},
                   {"充值还没到账", "到账"},
                   {"充值没有到账", "到账"},
                   {"充值不到账", "到账"},
                   {"充值一直没到账", "到账"},
                   {"充值多久到账", "到账"},
                   {"充值什么时候到账", "到账"},
                   {"充的钱没到账", "到账"},
                   {"充的钱还没到账", "到账"},
                   {"充了没到账", "到账"},
                   {"充了还没到账", "到账"},
                   {"话费到账", "到账"},
                   {"话费没到账", "到账"},
                   {"话费还没到账", "到账"},
                   {"转账到账", "到账"},
                   {"转账没到账", "到账"},
                   {"转账还没到账", "到账"},
                   {"工资到账", "到账"},
                   {"工资没到账", "到账"},
                   {"工资还没到账", "到账"},
                   {"请求超时", "超时"},
                   {"连接超时", "超时"},
                   {"网络超时", "超时"},
                   {"加载超时", "超时"},
                   {"响应超时", "超时"},
                   {"登录超时", "超时"},
                   {"年费用", "年费"},
                   {"月费用", "月费"},
                   {"信用卡账单上", "信用卡账单"},
                   {"信用卡账单里", "信用卡账单"},
                   // A platform's name as this shop's own business
                   // (domains.inc) or in another sense.
                   {"天猫精灵", "天猫"},
                   {"驾照认证", "驾照"},
                   {"挂号信", "挂号"},
                   {"京东快递", "京东"},
                   {"京东物流", "京东"},
                   {"京东白条", "京东"},
                   {"京东支付", "京东"},
                   {"京东e卡", "京东"},
                   {"得物鉴定", "得物"}},
                  {{"on my credit card statement", "credit card statement"},
                   {"amazon music", "amazon"},
                   {"amazon echo", "amazon"},
                   {"amazon alexa", "amazon"},
                   {"match amazon", "amazon"},
                   {"amazon has it cheaper", "amazon"},
                   {"cheaper on amazon", "amazon"},
                   {"driver's license photo", "driver's license"},
                   {"driver's licence photo", "driver's licence"},
                   {"instead of a driver's license", "driver's license"},
                   {"instead of a driver's licence", "driver's licence"},
                   {"in order to", "order"},
                   {"in order for", "order"},
                   {"return flight", "return"},
                   {"return trip", "return"},
                   {"business class", "class"},
                   {"first class", "class"},
                   {"economy class", "class"},
                   {"world class", "class"},
                   {"support ticket", "ticket"},
                   {"any update", "update"},
                   {"an update", "update"},
                   {"update on", "update"},
                   {"restocking fee", "restock"},
                   {"call it off", "call"},
                   {"call off", "call"},
                   {"house call", "call"},
                   {"rain check", "rain"},
                   {"won't be coming back", "won't be coming"},
                   {"wont be coming back", "wont be coming"},
                   {"can't make it work", "can't make it"},
                   {"cant make it work", "cant make it"},
                   {"return my deposit", "return"},
                   {"return the deposit", "return"},
                   {"deposit returned", "return"},
                   {"membership runs out", "run out"},
                   {"pass runs out", "run out"},
                   {"membership ran out", "ran out"},
                   {"pass ran out", "ran out"},
                   {"carry on with", "carry on"},
                   {"carry on using", "carry on"},
                   {"how much luggage", "how much"},
                   {"how much baggage", "how much"},
                   {"how much can i bring", "how much"},
                   {"just checking in", "check in"},
                   {"checking in to see", "check in"},
                   {"checking in about", "check in"},
                   {"disable auto", "disabled"},
                   {"disable notification", "disabled"},
                   {"disable the notification", "disabled"},
                   {"disable push", "disabled"},
                   {"disable my account", "disabled"},
                   {"disable the account", "disabled"},
                   {"account disabled", "disabled"},
                   {"account was disabled", "disabled"},
                   {"account is disabled", "disabled"},
                   {"account has been disabled", "disabled"},
                   {"account got disabled", "disabled"},
                   {"disable two factor", "disabled"},
                   {"disable 2fa", "disabled"},
                   {"stop charging me", "stopped charging"},
                   {"stop charging my card", "stopped charging"},
                   {"stop charging my account", "stopped charging"},
                   {"stop charging us", "stopped charging"}}};
    // A complaint to the platform about this shop ("我要向淘宝投诉你们") is this shop's business.
    for (const char* platform : {"淘宝", "天猫", "京东", "拼多多"}) {
      for (const char* frame : {"向%s投诉", "去%s投诉", "到%s投诉", "找%s投诉", "%s平台投诉",
                                "向%s反映", "去%s告", "%s小二"}) {
        std::string phrase = frame;
        phrase.replace(phrase.find("%s"), 2, platform);
        b.zh.push_back({std::move(phrase), platform});
      }
    }
    return b;
  }();
  return kBlockers;
}

// The stemmed ASCII words of the message, space-padded: " where s my order ".
std::string StemmedLine(const std::vector<std::string>& words) {
  std::string line = " ";
  for (const auto& w : words) {
    if (HasHan(w)) continue;
    line += w;
    line += ' ';
  }
  return line;
}

std::string StemPhrase(std::string_view raw) {
  // The normalizer turns ASCII punctuation into spaces ("didn't" -> "didn t", "wi-fi" ->
  // "wi fi"); a term must be split the same way to match.
  std::string phrase(raw);
  for (char& c : phrase) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u)) c = ' ';
  }
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= phrase.size()) {
    const size_t sp = phrase.find(' ', start);
    const std::string_view w =
        std::string_view(phrase).substr(start, sp == std::string::npos ? sp : sp - start);
    if (!w.empty()) words.emplace_back(w);
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  // As Words() does to messages: "didn't", "didnt" and "did not" are one phrase.
  std::string out = " ";
  for (const auto& w : ExpandNegations(std::move(words))) out += Stem(w) + ' ';
  return out;
}

}  // namespace

namespace {

// Every term of every concept in two automata (Chinese terms over the normalised text, stemmed
// English phrases over the space-padded line of stemmed words), so a message is scanned once
// instead of once per term.
struct ConceptIndex {
  AhoCorasick zh, en;
  std::vector<std::vector<uint16_t>> zh_concepts, en_concepts;  // by automaton word index
  // By automaton word index: for a blocking phrase, the word index of the term it hides; else -1.
  std::vector<int32_t> zh_blocks, en_blocks;
  std::vector<std::string_view> ids;     // by concept; table entries with the same id are one
  std::vector<std::string_view> unused;  // blocking phrases whose term is no term
  std::vector<std::string> domain_ids;   // "@" + id, what `ids` shows of the domains
};

// The terms of one automaton (Chinese or English), each once, with what each means.
struct Terms {
  std::vector<std::string> text;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::vector<uint16_t>>* concepts;
  std::vector<int32_t>* blocks;

  size_t Intern(std::string term) {
    auto [it, fresh] = index.emplace(term, text.size());
    if (fresh) {
      text.push_back(std::move(term));
      concepts->emplace_back();
      blocks->push_back(-1);
    }
    return it->second;
  }
  void Add(std::string term, uint16_t concept_index) {
    auto& list = (*concepts)[Intern(std::move(term))];
    if (std::find(list.begin(), list.end(), concept_index) == list.end()) {
      list.push_back(concept_index);
    }
  }
  // False when `term` is no term: the pair is a mistake in NotConcepts().
  bool Block(std::string phrase, const std::string& term) {
    const auto hidden = index.find(term);
    if (hidden == index.end()) return false;
    const auto hidden_index = static_cast<int32_t>(hidden->second);
    (*blocks)[Intern(std::move(phrase))] = hidden_index;
    return true;
  }
};

const ConceptIndex& Index() {
  static const ConceptIndex kIndex = [] {
    ConceptIndex idx;
    Terms zh{{}, {}, &idx.zh_concepts, &idx.zh_blocks};
    Terms en{{}, {}, &idx.en_concepts, &idx.en_blocks};
    std::unordered_map<std::string_view, uint16_t> by_id;
    const auto add = [&](const Concept& entry, std::string_view id) {
      const auto [it, fresh] = by_id.emplace(id, static_cast<uint16_t>(idx.ids.size()));
      if (fresh) idx.ids.push_back(id);
      const uint16_t c = it->second;
      for (auto t : entry.zh) zh.Add(std::string(t), c);
      for (auto t : entry.en) en.Add(StemPhrase(t), c);
    };
    for (const auto& entry : ConceptTable()) add(entry, entry.id);
    idx.domain_ids.reserve(DomainTable().size());
    for (const auto& domain : DomainTable()) {
      idx.domain_ids.push_back(std::string(1, kDomainPrefix) + domain.id);
      add(domain, idx.domain_ids.back());
    }
    for (const auto& b : NotConcepts().zh) {
      if (!zh.Block(std::string(b.phrase), std::string(b.term))) idx.unused.push_back(b.phrase);
    }
    for (const auto& b : NotConcepts().en) {
      if (!en.Block(StemPhrase(b.phrase), StemPhrase(b.term))) idx.unused.push_back(b.phrase);
    }
    idx.zh.Build(zh.text);
    idx.en.Build(en.text);
    return idx;
  }();
  return kIndex;
}

}  // namespace

std::vector<ConceptTerm> ConceptTerms() {
  std::vector<ConceptTerm> out;
  for (const auto& c : ConceptTable()) {
    for (auto t : c.zh) out.push_back({c.id, t, true});
    for (auto t : c.en) out.push_back({c.id, t, false});
  }
  const auto& domain_ids = Index().domain_ids;  // in DomainTable()'s order
  for (size_t i = 0; i < DomainTable().size(); ++i) {
    for (auto t : DomainTable()[i].zh) out.push_back({domain_ids[i], t, true});
    for (auto t : DomainTable()[i].en) out.push_back({domain_ids[i], t, false});
  }
  return out;
}

std::vector<std::string_view> UnusedBlockingPhrases() { return Index().unused; }

std::vector<std::string> Concepts(std::string_view normalized,
                                  const std::vector<std::string>& words) {
  const ConceptIndex& idx = Index();
  // Matches are kept until the scan ends, so that a blocking phrase can hide its term; the
  // buffers are the thread's own, reused from message to message. The concepts found are
  // listed rather than flagged in a table of every concept: a message finds a handful of the
  // thousands, and a table that size was a trip into malloc's arenas per message.
  thread_local std::vector<AhoCorasick::Match> matches, blocks;
  thread_local std::vector<uint16_t> hit;
  hit.clear();
  auto scan = [&](const AhoCorasick& automaton, std::string_view text,
                  const std::vector<std::vector<uint16_t>>& concepts,
                  const std::vector<int32_t>& blocking) {
    matches.clear();
    blocks.clear();
    automaton.ForEachMatch(text, [&](const AhoCorasick::Match& m) {
      matches.push_back(m);
      if (blocking[m.word] >= 0) blocks.push_back(m);
    });
    for (const auto& m : matches) {
      const bool hidden = std::any_of(blocks.begin(), blocks.end(), [&](const auto& b) {
        return blocking[b.word] == static_cast<int32_t>(m.word) && b.begin <= m.begin &&
               m.end <= b.end;
      });
      if (hidden) continue;
      hit.insert(hit.end(), concepts[m.word].begin(), concepts[m.word].end());
    }
  };
  scan(idx.zh, normalized, idx.zh_concepts, idx.zh_blocks);
  scan(idx.en, StemmedLine(words), idx.en_concepts, idx.en_blocks);
  std::sort(hit.begin(), hit.end());
  hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
  std::vector<std::string> found;
  found.reserve(hit.size());
  for (uint16_t c : hit) found.emplace_back(idx.ids[c]);
  return found;
}

}  // namespace parley::nlp
