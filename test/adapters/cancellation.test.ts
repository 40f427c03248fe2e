import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import { createSmtpEmailSender } from '../../adapters/email/smtp';
import { createKannelSmsSender } from '../../adapters/sms/kannel';
import { createTwilioSmsSender } from '../../adapters/sms/twilio';
import { createHttpWebhookSender } from '../../adapters/webhooks/http-sender';

/**
 * Every adapter aborts its call in flight when the activity calling it is cancelled (a
 * local attempt past its limit, a cancelled run): the receiver sees the connection close
 * before it answered. A call left running would still deliver behind the retry that
 * follows, and Kannel, Twilio and a plain SMTP server cannot tell the two apart.
 * The receivers here never answer on their own: only an abort ends the call.
 */
describe('adapters abort on the activity’s cancellation', () => {
  /** An HTTP receiver that takes each request and holds its answer until the test ends. */
  async function holdingHttp() {
    const held: http.ServerResponse[] = [];
    let arrived = () => undefined as void;
    let closed = () => undefined as void;
    const arrival = new Promise<void>((r) => (arrived = r));
    const closedEarly = new Promise<void>((r) => (closed = r));
    const server = http.createServer((req, res) => {
      req.resume();
      held.push(res);
      res.on('close', () => {
        if (!res.writableEnded) closed();
      });
      arrived();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      arrival,
      closedEarly,
      stop: async () => {
        for (const res of held) if (!res.writableEnded) res.destroy();
        await new Promise((r) => server.close(r));
      },
    };
  }

  /** Runs `call` as an activity, cancels it once the receiver has the request, and checks the abort. */
  async function cancelledWhileHeld(
    arrival: Promise<void>,
    closedEarly: Promise<void>,
    call: () => Promise<unknown>,
  ) {
    const env = new MockActivityEnvironment();
    const running = env.run(call);
    const settled = running.then(
      () => 'answered',
      () => 'failed',
    );
    await arrival;
    env.cancel();
    // The call ends (failed), and the receiver saw the connection go before it answered.
    expect(await settled).toBe('failed');
    await closedEarly;
  }

  let receiver: Awaited<ReturnType<typeof holdingHttp>>;
  beforeEach(async () => {
    receiver = await holdingHttp();
  });
  afterEach(async () => {
    await receiver.stop();
  });

  it('Kannel sendsms', async () => {
    const sms = createKannelSmsSender({
      sendsmsUrl: `${receiver.url}/cgi-bin/sendsms`,
      username: 'u',
      password: 'p',
      timeoutMs: 60_000,
    });
    await cancelledWhileHeld(receiver.arrival, receiver.closedEarly, () =>
      sms.send({ id: 'm1', to: '+254700000001', body: 'hello' }),
    );
  });

  it('Twilio Messages API', async () => {
    const sms = createTwilioSmsSender({
      accountSid: 'AC' + '0'.repeat(31) + '1',
      authToken: 'token',
      from: '+15005550006',
      apiBaseUrl: receiver.url,
      timeoutMs: 60_000,
    });
    await cancelledWhileHeld(receiver.arrival, receiver.closedEarly, () =>
      sms.send({ id: 'm1', to: '+254700000001', body: 'hello' }),
    );
  });

  it('webhooks', async () => {
    const sender = createHttpWebhookSender({ timeoutMs: 60_000 });
    await cancelledWhileHeld(receiver.arrival, receiver.closedEarly, () =>
      sender.send(
        { name: 'channel', url: `${receiver.url}/hook`, secret: 'a-shared-secret-of-enough-length' },
        { id: 'w1', type: 'ib_user.username_assigned', payload: {} },
      ),
    );
  });

  it('core banking (ESB HTTP client)', async () => {
    const client = createCoreBankingHttpClient({ baseUrl: receiver.url, timeoutMs: 60_000 });
    await cancelledWhileHeld(receiver.arrival, receiver.closedEarly, () =>
      client.setPassword('IBU1', 'First-Time-Pass-1', true),
    );
  });

  it('SMTP (the session is cut before the final answer to DATA)', async () => {
    let arrived = () => undefined as void;
    let closed = () => undefined as void;
    const arrival = new Promise<void>((r) => (arrived = r));
    const closedEarly = new Promise<void>((r) => (closed = r));
    const smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      // Takes the message and never answers its DATA: only an abort ends the session.
      onData(stream) {
        stream.resume();
        stream.on('end', arrived);
      },
      onClose: () => closed(),
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const port = ((smtp as unknown as { server: http.Server }).server.address() as AddressInfo).port;
    try {
      const email = createSmtpEmailSender({
        host: '127.0.0.1',
        port,
        from: 'bank@bank.example',
        timeoutMs: 60_000,
      });
      await cancelledWhileHeld(arrival, closedEarly, () =>
        email.send({ id: 'e1', to: 'a@example.com', subject: 's', text: 't' }),
      );
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });
});
