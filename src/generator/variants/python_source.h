// Real Warp source as the variant maker edits it: Python's tokens with their places in the text,
// its logical lines, and its functions. Not a parser: enough structure to edit a real kernel
// without breaking it (a rename touches names, never attributes, keywords or strings; a moved
// statement moves whole logical lines), checked afterwards by Warp itself (--verify).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace warpsynth::generator::variants {

enum class TokenKind { kName, kNumber, kString, kComment, kOperator, kNewline };

struct Token {
  TokenKind kind;
  std::size_t begin;  // byte offsets into the text
  std::size_t end;
  int line;   // 1-based line of the first byte
  int depth;  // bracket nesting before the token ((, [, {)
};

// A logical line: a statement or a clause header, its physical lines joined by brackets or `\`.
struct LogicalLine {
  std::size_t first_token;  // its tokens: [first_token, end_token); comments on lines of their own are not in any
  std::size_t end_token;    // one past its last token (the kNewline excluded)
  std::size_t text_begin;   // from the start of its first physical line
  std::size_t text_end;     // to past the newline of its last physical line
  int indent;               // columns before its first token
};

// A `def` and its body: the lines from the `def` to the last one indented deeper.
struct FunctionBlock {
  std::string name;
  std::size_t def_line;    // index into logical_lines of the `def` header
  std::size_t end_line;    // one past the block's last logical line
  std::size_t body_token;  // the first token after the header's closing `:`
  std::vector<std::string> decorators;  // `wp.kernel`, `wp.func`, ... as written (without @ and arguments)
  bool top_level = false;
};

// Throws SourceError on text the tokenizer cannot follow (an unterminated string or bracket).
struct SourceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PythonSource {
 public:
  explicit PythonSource(std::string text);

  const std::string& text() const { return text_; }
  const std::vector<Token>& tokens() const { return tokens_; }
  const std::vector<LogicalLine>& logical_lines() const { return lines_; }
  const std::vector<FunctionBlock>& functions() const { return functions_; }
  std::string_view spelling(const Token& t) const { return std::string_view(text_).substr(t.begin, t.end - t.begin); }
  std::string_view spelling(std::size_t token) const { return spelling(tokens_[token]); }

  // The logical line that holds token `t` (npos: a comment on a line of its own).
  std::size_t line_of(std::size_t token) const;
  // Every identifier spelled anywhere in the text (names, attributes, keywords).
  std::vector<std::string> identifiers() const;

 private:
  void tokenize();
  void split_lines();
  void find_functions();

  std::string text_;
  std::vector<Token> tokens_;
  std::vector<LogicalLine> lines_;
  std::vector<std::size_t> line_of_token_;
  std::vector<FunctionBlock> functions_;
};

bool is_python_keyword(std::string_view word);

}  // namespace warpsynth::generator::variants
