// How a key's Value reaches a struct member: `to<Target, &A::b, &B::c>()` stores into
// target.b.c, converting from the Value's representation (milliseconds, bytes, words).
#pragma once

#include "mailpush/config/keys.hpp"

#include <chrono>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mailpush::config::sinks {

template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};

// target.*p1.*p2... : the member a path of member pointers leads to.
template <auto... Path, class Target>
auto& member(Target& t) {
    // clang-format off
    return (t .* ... .* Path);
    // clang-format on
}

template <class T>
void assign(T& out, const Value& v) {
    if constexpr (std::is_same_v<T, bool>)
        out = std::get<bool>(v);
    else if constexpr (std::is_integral_v<T>)
        out = static_cast<T>(std::get<std::int64_t>(v));
    else if constexpr (is_duration<T>::value)
        out = std::chrono::duration_cast<T>(std::chrono::milliseconds(std::get<std::int64_t>(v)));
    else
        out = std::get<T>(v); // std::string, std::vector<std::string>
}

template <class T>
Value value_of(const T& in) {
    if constexpr (std::is_same_v<T, bool>)
        return in;
    else if constexpr (std::is_integral_v<T>)
        return static_cast<std::int64_t>(in);
    else if constexpr (is_duration<T>::value)
        return std::chrono::duration_cast<std::chrono::milliseconds>(in).count();
    else
        return in;
}

template <class Target, auto... Path>
Sink<Target> to() {
    return {[](Target& t, const Value& v) { assign(member<Path...>(t), v); },
            [](const Target& t) { return value_of(member<Path...>(t)); }};
}

// An enum member, through a table of {word, enumerator} pairs.
template <class E>
using Word = std::pair<std::string_view, E>;

template <const auto& Words, class Target, auto... Path>
Sink<Target> to_enum() {
    return {[](Target& t, const Value& v) {
                for (const auto& [word, e] : Words)
                    if (word == std::get<std::string>(v)) member<Path...>(t) = e;
            },
            [](const Target& t) {
                for (const auto& [word, e] : Words)
                    if (e == member<Path...>(t)) return Value(std::string(word));
                return Value(std::string());
            }};
}

template <class Words>
std::vector<std::string> words_of(const Words& words) {
    std::vector<std::string> out;
    for (const auto& w : words)
        out.emplace_back(w.first);
    return out;
}

} // namespace mailpush::config::sinks
