#include "util/utf8.h"

#include <gtest/gtest.h>

using namespace warpsynth;

TEST(Utf8, ValidTextIsKeptAndInvalidBytesAreEscaped) {
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9/\xe2\x82\xac.py"));
  EXPECT_EQ(escape_invalid_utf8("caf\xc3\xa9.py"), "caf\xc3\xa9.py");
  EXPECT_FALSE(is_valid_utf8("bad\xffname.py"));
  EXPECT_EQ(escape_invalid_utf8("bad\xffname.py"), "bad\\xffname.py");
  EXPECT_EQ(escape_invalid_utf8("latin\xe9.py"), "latin\\xe9.py");  // a lead byte without its continuation
  EXPECT_EQ(escape_invalid_utf8("\xc0\xaf"), "\\xc0\\xaf");          // an overlong '/'
  EXPECT_EQ(escape_invalid_utf8("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_TRUE(is_valid_utf8(escape_invalid_utf8("\xff\xfe")));
  EXPECT_EQ(to_hex("a\xff"), "61ff");
}
