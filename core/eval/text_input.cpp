#include "core/eval/text_input.h"

#include "core/fs/byte_cursor.h"

#include <cerrno>
#include <fstream>
#include <iterator>

namespace qs::core {

Result<std::string> readEvalText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::fromErrno(errno, path, "open");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return Error::fromErrno(errno, path, "read");
    }
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    // Tokenizers read UTF-8; a binary file (a model passed as the text, say) would still give
    // tokens and a meaningless perplexity, so it is refused here.
    if (!isValidUtf8(text)) {
        return makeError(ErrorCode::Format,
                         path + ": not UTF-8 text (an evaluation text must be plain text)");
    }
    return text;
}

} // namespace qs::core
