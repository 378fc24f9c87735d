#include "mailpush/delivery/records.hpp"

namespace mailpush::delivery {

const char* to_string(RcptState s) {
    switch (s) {
    case RcptState::queued:
        return "queued";
    case RcptState::deferred:
        return "deferred";
    case RcptState::delivered:
        return "delivered";
    case RcptState::failed:
        return "failed";
    case RcptState::expired:
        return "expired";
    }
    return "queued";
}

} // namespace mailpush::delivery
