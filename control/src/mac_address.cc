#include "np/control/mac_address.h"

#include <cstdio>

namespace np::control {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_mac(const std::string& text, MacAddress& mac) {
  constexpr size_t kTextSize = 17;  // Six octets of two digits and five colons.
  if (text.size() != kTextSize) return false;
  MacAddress parsed{};
  for (size_t i = 0; i < parsed.size(); ++i) {
    const size_t at = i * 3;
    if (i > 0 && text[at - 1] != ':') return false;
    const int high = hex_digit(text[at]);
    const int low = hex_digit(text[at + 1]);
    if (high < 0 || low < 0) return false;
    parsed[i] = static_cast<uint8_t>(high << 4 | low);
  }
  mac = parsed;
  return true;
}

std::string format_mac(const MacAddress& mac) {
  char text[18];
  std::snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return text;
}

}  // namespace np::control
