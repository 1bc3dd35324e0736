// File names are bytes; JSON text is UTF-8. A name that is not valid UTF-8 is shown escaped, each
// byte that does not belong to a UTF-8 sequence written as \xHH (as Python's backslashreplace
// shows it), so that records and summaries keep it readable and valid (issue 13: one such name
// aborted a whole extract run with json type_error.316).
#pragma once

#include <string>
#include <string_view>

namespace warpsynth {

bool is_valid_utf8(std::string_view text);
std::string escape_invalid_utf8(std::string_view text);
// The bytes of `text` as lowercase hex, two digits each.
std::string to_hex(std::string_view text);

}  // namespace warpsynth
