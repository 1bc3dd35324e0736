// libFuzzer target: the driver's parsers of what a worker sends throw ProtocolError on anything
// that is not protocol, and nothing else (no other exception, no crash, no undefined behaviour).
#include <cstdint>
#include <string>

#include "driver/protocol.h"

using namespace warpsynth::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  try {
    parse_ready(line);
  } catch (const ProtocolError&) {
  }
  try {
    Reply reply = parse_reply(line);
    if (reply.ok) {
      try {
        parse_sources_reply(reply.result);
      } catch (const ProtocolError&) {
      }
      try {
        parse_source_reply(reply.result);
      } catch (const ProtocolError&) {
      }
    }
  } catch (const ProtocolError&) {
  }
  return 0;
}
