// Runs blocking work (SQLite, password hashing) on a thread pool and resumes the awaiting
// coroutine on its own executor with the result. Avoids coroutine lambdas with captures,
// which GCC 12 destroys twice when they are handed to co_spawn.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace mailpush::net {

// `fn` must not throw; it runs on a pool thread.
template <class F>
auto offload(boost::asio::thread_pool& pool, F fn) {
    using R = std::invoke_result_t<F&>;
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(R)>(
        [&pool](auto handler, F f) {
            auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            boost::asio::post(pool, [h, work, f = std::move(f)]() mutable {
                R result = f();
                auto ex = boost::asio::get_associated_executor(*h);
                boost::asio::dispatch(ex,
                                      [h, result = std::move(result)]() mutable { (*h)(std::move(result)); });
            });
        },
        boost::asio::use_awaitable, std::move(fn));
}

} // namespace mailpush::net
