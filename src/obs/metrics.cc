#include "obs/metrics.h"

#include <charconv>
#include <cmath>

namespace parley::obs {
namespace {

void AppendNumber(std::string& out, double v) {
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Appends {a="x",b="y"[,extra]} or nothing when there are no labels at all.
void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    AppendLabelValue(out, values[i]);
    out += '"';
  }
  if (!extra.empty()) {
    if (!names.empty()) out += ',';
    out += extra;
  }
  out += '}';
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help,
                  std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = acc;
  }
  // The +Inf bucket and _count must agree even while observations race with us.
  s.count = acc;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  for (int i = 0; i < count; ++i, start *= factor) b.push_back(start);
  return b;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

template <typename T>
T* Family<T>::With(std::initializer_list<std::string_view> values) {
  std::vector<std::string> key(values.begin(), values.end());
  return Create(std::move(key));
}

template <typename T>
T* Family<T>::With(const std::vector<std::string>& values) {
  return Create(values);
}

template <typename T>
T* Family<T>::Create(std::vector<std::string> key) {
  key.resize(labels_.size());
  std::lock_guard lock(mu_);
  auto& slot = children_[std::move(key)];
  if (!slot) {
    if constexpr (std::is_same_v<T, Histogram>) {
      slot = std::make_unique<T>(bounds_);
    } else {
      slot = std::make_unique<T>();
    }
  }
  return slot.get();
}

template <typename T>
void Family<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& fn) const {
  std::lock_guard lock(mu_);
  for (const auto& [labels, child] : children_) fn(labels, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>* Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  counters_.push_back(
      std::make_unique<Family<Counter>>(std::move(name), std::move(help), std::move(labels)));
  order_.push_back({MetricType::kCounter, counters_.back().get()});
  return counters_.back().get();
}

Family<Gauge>* Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  gauges_.push_back(
      std::make_unique<Family<Gauge>>(std::move(name), std::move(help), std::move(labels)));
  order_.push_back({MetricType::kGauge, gauges_.back().get()});
  return gauges_.back().get();
}

Family<Histogram>* Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> labels,
                                          std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(std::move(name), std::move(help),
                                                            std::move(labels), std::move(bounds)));
  order_.push_back({MetricType::kHistogram, histograms_.back().get()});
  return histograms_.back().get();
}

void Registry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  for (const auto& c : collectors_) c();
  std::string out;
  out.reserve(8192);
  for (const auto& e : order_) {
    if (e.type == MetricType::kCounter) {
      const auto* f = static_cast<const Family<Counter>*>(e.family);
      AppendHeader(out, f->name(), f->help(), "counter");
      f->ForEach([&](const std::vector<std::string>& lv, const Counter& c) {
        out += f->name();
        AppendLabels(out, f->labels(), lv);
        out += ' ';
        out += std::to_string(c.Value());
        out += '\n';
      });
    } else if (e.type == MetricType::kGauge) {
      const auto* f = static_cast<const Family<Gauge>*>(e.family);
      AppendHeader(out, f->name(), f->help(), "gauge");
      f->ForEach([&](const std::vector<std::string>& lv, const Gauge& g) {
        out += f->name();
        AppendLabels(out, f->labels(), lv);
        out += ' ';
        AppendNumber(out, g.Value());
        out += '\n';
      });
    } else {
      const auto* f = static_cast<const Family<Histogram>*>(e.family);
      AppendHeader(out, f->name(), f->help(), "histogram");
      f->ForEach([&](const std::vector<std::string>& lv, const Histogram& h) {
        const auto snap = h.Snap();
        const auto& bounds = h.bounds();
        for (size_t i = 0; i <= bounds.size(); ++i) {
          std::string le = "le=\"";
          if (i < bounds.size()) {
            AppendNumber(le, bounds[i]);
          } else {
            le += "+Inf";
          }
          le += '"';
          out += f->name();
          out += "_bucket";
          AppendLabels(out, f->labels(), lv, le);
          out += ' ';
          out += std::to_string(snap.cumulative[i]);
          out += '\n';
        }
        out += f->name();
        out += "_sum";
        AppendLabels(out, f->labels(), lv);
        out += ' ';
        AppendNumber(out, snap.sum);
        out += '\n';
        out += f->name();
        out += "_count";
        AppendLabels(out, f->labels(), lv);
        out += ' ';
        out += std::to_string(snap.count);
        out += '\n';
      });
    }
  }
  return out;
}

}  // namespace parley::obs
