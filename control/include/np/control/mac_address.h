// Ethernet MAC addresses in their text form, "xx:xx:xx:xx:xx:xx".
//
// Thread: any.
#pragma once

#include <string>

#include "np/control/config.h"

namespace np::control {

// Parses six colon-separated two-digit hex octets (either case) into `mac`. Returns false, and
// leaves `mac` unchanged, if `text` has any other form.
bool parse_mac(const std::string& text, MacAddress& mac);

// Formats `mac` as six lower-case two-digit hex octets separated by colons.
std::string format_mac(const MacAddress& mac);

}  // namespace np::control
