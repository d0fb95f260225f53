#include "np/control/metrics_registry.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

namespace np::control {
namespace {

[[maybe_unused]] bool is_metric_name(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

[[maybe_unused]] bool is_label_name(const std::string& name) {
  // Names starting with "__" are reserved for Prometheus itself.
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

[[maybe_unused]] bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

const char* type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

MetricValue::MetricValue(double value) {
  if (std::isnan(value)) {
    text_ = "NaN";
  } else if (std::isinf(value)) {
    text_ = value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    const auto result = std::to_chars(buf, buf + sizeof(buf), value);
    text_.assign(buf, result.ptr);
  }
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

MetricFamily::MetricFamily(std::string name, std::string help, MetricType type)
    : name_(std::move(name)), help_(std::move(help)), type_(type) {
  assert(is_metric_name(name_));
  // Conventions that `promtool check metrics` enforces: counters, and only counters, end in
  // _total; a histogram's own suffixes are added here.
  assert(ends_with(name_, "_total") == (type_ == MetricType::kCounter));
}

void MetricFamily::add(const MetricLabels& labels, MetricValue value) {
  assert(type_ != MetricType::kHistogram);
  add_line("", labels, nullptr, value.text());
}

void MetricFamily::add_histogram(const MetricLabels& labels,
                                 const std::vector<double>& upper_bounds,
                                 const std::vector<uint64_t>& counts, MetricValue sum) {
  assert(type_ == MetricType::kHistogram);
  assert(counts.size() == upper_bounds.size() + 1);
  MetricLabel le{"le", ""};
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    if (i < upper_bounds.size()) {
      assert(i == 0 || upper_bounds[i - 1] < upper_bounds[i]);
      le.value = MetricValue(upper_bounds[i]).text();
    } else {
      le.value = "+Inf";
    }
    add_line("_bucket", labels, &le, std::to_string(cumulative));
  }
  add_line("_sum", labels, nullptr, sum.text());
  add_line("_count", labels, nullptr, std::to_string(cumulative));
}

void MetricFamily::add_line(const char* suffix, const MetricLabels& labels,
                            const MetricLabel* extra, const std::string& value) {
  samples_ += name_;
  samples_ += suffix;
  if (!labels.empty() || extra != nullptr) {
    char separator = '{';
    auto append = [&](const MetricLabel& label) {
      assert(is_label_name(label.name));
      samples_ += separator;
      samples_ += label.name;
      samples_ += "=\"";
      samples_ += escape_label_value(label.value);
      samples_ += '"';
      separator = ',';
    };
    for (const MetricLabel& label : labels) {
      assert(type_ != MetricType::kHistogram || label.name != "le");
      append(label);
    }
    if (extra != nullptr) append(*extra);
    samples_ += '}';
  }
  samples_ += ' ';
  samples_ += value;
  samples_ += '\n';
}

void MetricFamily::render_to(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  out += escape_help(help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_name(type_);
  out += '\n';
  out += samples_;
}

MetricFamily& MetricsText::family(const std::string& name, const std::string& help,
                                  MetricType type) {
  const auto it = index_.find(name);
  if (it != index_.end()) {
    MetricFamily& existing = families_[it->second];
    assert(existing.type() == type);
    return existing;
  }
  index_.emplace(name, families_.size());
  return families_.emplace_back(name, help, type);
}

std::string MetricsText::render() const {
  std::string out;
  for (const MetricFamily& f : families_) {
    if (!f.empty()) f.render_to(out);
  }
  return out;
}

}  // namespace np::control
