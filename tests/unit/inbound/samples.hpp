// Real-looking inbound reports for the inbound tests: a Postfix bounce, an Exchange/Gmail-style
// DSN, the RFC 5965 example complaint, and broken ones.
#pragma once

#include <string>

namespace mailpush::inbound::test {

inline std::string postfix_bounce(const std::string& envid, const std::string& rcpt,
                                  const std::string& msg_id) {
    return "Return-Path: <>\r\n"
           "From: MAILER-DAEMON@mx.remote.test (Mail Delivery System)\r\n"
           "Subject: Undelivered Mail Returned to Sender\r\n"
           "To: sender@example.com\r\n"
           "Auto-Submitted: auto-replied\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=delivery-status;\r\n"
           "\tboundary=\"ABC123.1700000000/mx.remote.test\"\r\n"
           "\r\n"
           "This is a MIME-encapsulated message.\r\n"
           "\r\n"
           "--ABC123.1700000000/mx.remote.test\r\n"
           "Content-Description: Notification\r\n"
           "Content-Type: text/plain; charset=us-ascii\r\n"
           "\r\n"
           "I'm sorry to have to inform you that your message could not\r\n"
           "be delivered to one or more recipients.\r\n"
           "\r\n"
           "--ABC123.1700000000/mx.remote.test\r\n"
           "Content-Description: Delivery report\r\n"
           "Content-Type: message/delivery-status\r\n"
           "\r\n"
           "Reporting-MTA: dns; mx.remote.test\r\n"
           "X-Postfix-Queue-ID: ABC123\r\n"
           "Original-Envelope-Id: " +
           envid +
           "\r\n"
           "Arrival-Date: Thu,  2 Dec 2026 10:00:00 +0000 (UTC)\r\n"
           "\r\n"
           "Final-Recipient: rfc822; " +
           rcpt +
           "\r\n"
           "Original-Recipient: rfc822;" +
           rcpt +
           "\r\n"
           "Action: failed\r\n"
           "Status: 5.1.1\r\n"
           "Remote-MTA: dns; mailbox.remote.test\r\n"
           "Diagnostic-Code: smtp; 550 5.1.1 <" +
           rcpt +
           ">: Recipient address rejected:\r\n"
           "    User unknown in local recipient table\r\n"
           "\r\n"
           "--ABC123.1700000000/mx.remote.test\r\n"
           "Content-Description: Undelivered Message Headers\r\n"
           "Content-Type: text/rfc822-headers\r\n"
           "\r\n"
           "Message-ID: <" +
           msg_id +
           ">\r\n"
           "From: sender@example.com\r\n"
           "To: " +
           rcpt +
           "\r\n"
           "Subject: hello\r\n"
           "\r\n"
           "--ABC123.1700000000/mx.remote.test--\r\n";
}

// Exchange/Gmail style: no ENVID, no Original-Recipient, the notification a nested
// multipart/alternative, the whole message returned (message/rfc822).
inline std::string exchange_bounce(const std::string& rcpt, const std::string& msg_id) {
    return "From: postmaster@outlook.remote.test\r\n"
           "To: sender@example.com\r\n"
           "Subject: Undeliverable: hello\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"_b_\"\r\n"
           "\r\n"
           "--_b_\r\n"
           "Content-Type: multipart/alternative; boundary=\"_alt_\"\r\n"
           "\r\n"
           "--_alt_\r\n"
           "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
           "\r\n"
           "Delivery has failed to these recipients or groups:\r\n"
           "--_alt_--\r\n"
           "\r\n"
           "--_b_\r\n"
           "Content-Type: message/delivery-status\r\n"
           "\r\n"
           "Reporting-MTA: dns;AM0PR01MB1234.remote.test\r\n"
           "Received-From-MTA: dns;mx.example.com\r\n"
           "\r\n"
           "Final-Recipient: rfc822;" +
           rcpt +
           "\r\n"
           "Action: failed\r\n"
           "Status: 5.2.2\r\n"
           "Diagnostic-Code: smtp;552 5.2.2 mailbox full\r\n"
           "\r\n"
           "--_b_\r\n"
           "Content-Type: message/rfc822\r\n"
           "\r\n"
           "Message-ID: <" +
           msg_id +
           ">\r\n"
           "From: Sender <sender@example.com>\r\n"
           "To: \"Someone\" <" +
           rcpt +
           ">\r\n"
           "Subject: hello\r\n"
           "\r\n"
           "the body\r\n"
           "\r\n"
           "--_b_--\r\n";
}

// RFC 5965 Appendix B, adapted to our names.
inline std::string arf_complaint(const std::string& rcpt, const std::string& msg_id) {
    return "From: <abusedesk@isp.remote.test>\r\n"
           "Date: Thu, 8 Mar 2005 17:40:36 EDT\r\n"
           "Subject: FW: Earn money\r\n"
           "To: <abuse@example.com>\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=feedback-report;\r\n"
           "     boundary=\"part1_13d.2e68ed54_boundary\"\r\n"
           "\r\n"
           "--part1_13d.2e68ed54_boundary\r\n"
           "Content-Type: text/plain; charset=\"US-ASCII\"\r\n"
           "Content-Transfer-Encoding: 7bit\r\n"
           "\r\n"
           "This is an email abuse report for an email message received from IP\r\n"
           "192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\r\n"
           "\r\n"
           "--part1_13d.2e68ed54_boundary\r\n"
           "Content-Type: message/feedback-report\r\n"
           "\r\n"
           "Feedback-Type: abuse\r\n"
           "User-Agent: SomeGenerator/1.0\r\n"
           "Version: 1\r\n"
           "Original-Mail-From: <sender@example.com>\r\n"
           "Original-Rcpt-To: <" +
           rcpt +
           ">\r\n"
           "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\r\n"
           "Reporting-MTA: dns; mail.isp.remote.test\r\n"
           "Source-IP: 192.0.2.1\r\n"
           "Authentication-Results: mail.isp.remote.test; spf=pass smtp.mail=sender@example.com\r\n"
           "Reported-Domain: example.com\r\n"
           "\r\n"
           "--part1_13d.2e68ed54_boundary\r\n"
           "Content-Type: message/rfc822\r\n"
           "Content-Disposition: inline\r\n"
           "\r\n"
           "From: <sender@example.com>\r\n"
           "Received: from mailserver.example.com (mailserver.example.com [192.0.2.1])\r\n"
           "        by mail.isp.remote.test; Thu, 8 Mar 2005 14:00:00 -0400\r\n"
           "To: <" +
           rcpt +
           ">\r\n"
           "Subject: Earn money\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-type: text/plain\r\n"
           "Message-ID: <" +
           msg_id +
           ">\r\n"
           "Date: Thu, 02 Sep 2004 12:31:03 -0500\r\n"
           "\r\n"
           "Spam Spam Spam\r\n"
           "\r\n"
           "--part1_13d.2e68ed54_boundary--\r\n";
}

} // namespace mailpush::inbound::test
