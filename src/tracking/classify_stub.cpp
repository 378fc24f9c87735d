// Stand-in for the tracking module's names of the hit classes, so that this branch links
// without the classifier itself (the recorder takes the classifier as a function).
#include "mailpush/tracking/classify.hpp"

namespace mailpush::tracking {

std::string_view class_name(HitClass c) {
    switch (c) {
    case HitClass::human:
        return "human";
    case HitClass::proxy:
        return "proxy";
    case HitClass::prefetch:
        return "prefetch";
    case HitClass::scanner:
        return "scanner";
    }
    return "human";
}

bool counts_as_machine(HitClass c) {
    return c == HitClass::prefetch || c == HitClass::scanner;
}

} // namespace mailpush::tracking
