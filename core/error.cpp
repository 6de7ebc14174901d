#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace qs::core {

const char* errorCodeName(ErrorCode code) {
    switch (code) {
    case ErrorCode::Io:
        return "I/O error";
    case ErrorCode::NoSpace:
        return "no space";
    case ErrorCode::Format:
        return "format error";
    case ErrorCode::Unsupported:
        return "unsupported";
    case ErrorCode::InvalidArgument:
        return "invalid argument";
    case ErrorCode::Cancelled:
        return "cancelled";
    case ErrorCode::Device:
        return "device error";
    case ErrorCode::Internal:
        return "internal error";
    }
    return "error";
}

std::string Error::toString() const {
    return std::string(errorCodeName(code)) + ": " + message;
}

Error Error::fromErrno(int errnoValue, const std::string& path, const std::string& action) {
    const ErrorCode code = (errnoValue == ENOSPC || errnoValue == EFBIG || errnoValue == EDQUOT)
                               ? ErrorCode::NoSpace
                               : ErrorCode::Io;
    return Error{code, path + ": cannot " + action + ": " + std::strerror(errnoValue)};
}

} // namespace qs::core
