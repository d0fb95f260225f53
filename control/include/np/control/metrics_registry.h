// A small writer of the Prometheus text exposition format 0.0.4, used as a builder at scrape
// time: the caller takes one stats snapshot, adds every sample, and renders. Nothing is kept
// between scrapes, so there is no global registry and nothing to lock.
//
//   MetricsText text;
//   auto& rx = text.family("nodeplane_port_rx_packets_total", "Packets received.",
//                          MetricType::kCounter);
//   rx.add({{"port", "pod1"}}, 123);
//   std::string body = text.render();
//
// Metric and label names are program constants; they are checked by debug-only asserts.
// Label values and help texts are escaped as the format requires.
//
// Thread: any; one MetricsText belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace np::control {

enum class MetricType { kCounter, kGauge, kHistogram };

// One label of a series. The value is escaped on output; the name must be a valid label name.
struct MetricLabel {
  std::string name;
  std::string value;
};
using MetricLabels = std::vector<MetricLabel>;

// A sample value, formatted once: integers exactly (a uint64_t counter above 2^53 keeps every
// digit), doubles in their shortest round-trip form, with NaN, +Inf and -Inf spelled as the
// format wants.
class MetricValue {
 public:
  template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  MetricValue(T value) : text_(std::to_string(value)) {}  // NOLINT: implicit on purpose.
  MetricValue(double value);                              // NOLINT: implicit on purpose.

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// One metric family: its HELP and TYPE lines and all its samples, in the order added.
class MetricFamily {
 public:
  // Use MetricsText::family() instead.
  MetricFamily(std::string name, std::string help, MetricType type);

  // Adds one sample of a counter or gauge. Adding the same label set twice is the caller's
  // mistake (Prometheus rejects duplicate series); it is not checked.
  void add(const MetricLabels& labels, MetricValue value);

  // Adds one histogram series. `upper_bounds` are the finite bucket bounds, ascending;
  // `counts` holds upper_bounds.size() + 1 per-bucket (not cumulative) counts, the last one
  // for observations above the last bound. Writes cumulative NAME_bucket lines with an `le`
  // label (the last le="+Inf"), NAME_sum (`sum`) and NAME_count (the total of `counts`, so
  // that _count always equals the +Inf bucket).
  void add_histogram(const MetricLabels& labels, const std::vector<double>& upper_bounds,
                     const std::vector<uint64_t>& counts, MetricValue sum);

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  bool empty() const { return samples_.empty(); }

  // Appends "# HELP", "# TYPE" and the sample lines to `out`.
  void render_to(std::string& out) const;

 private:
  // Appends "NAME{labels[,extra]} VALUE\n" to samples_.
  void add_line(const char* suffix, const MetricLabels& labels, const MetricLabel* extra,
                const std::string& value);

  std::string name_;
  std::string help_;
  MetricType type_;
  std::string samples_;
};

// The families of one scrape, rendered in the order they were first asked for.
class MetricsText {
 public:
  // Returns the family `name`, creating it with `help` and `type` on first use. The reference
  // stays valid for the life of this object. Asking again with another type is a bug
  // (asserted); the first type is kept.
  MetricFamily& family(const std::string& name, const std::string& help, MetricType type);

  // The whole exposition: every family that has at least one sample (an empty family would
  // only be noise), each as HELP, TYPE and samples, "\n"-terminated lines.
  std::string render() const;

 private:
  std::deque<MetricFamily> families_;  // A deque, so references survive later additions.
  std::map<std::string, size_t> index_;
};

// `value` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(const std::string& value);
// `text` escaped for a HELP line: backslash and newline.
std::string escape_help(const std::string& text);

}  // namespace np::control
