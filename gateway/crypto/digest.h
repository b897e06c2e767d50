// SHA-256 and hex helpers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace medgate::crypto {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(std::string_view data);
// Lowercase hex of the first `bytes` bytes of `data`.
std::string to_hex(const std::uint8_t* data, std::size_t bytes);
inline std::string to_hex(const Sha256& d, std::size_t bytes = 32) { return to_hex(d.data(), bytes); }

}  // namespace medgate::crypto
