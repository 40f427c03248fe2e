/** Customer-facing message texts. They carry what the customer needs and nothing else. */
export const templates = {
  firstTimePasswordSms: (p: { bankName: string; username: string; password: string }) =>
    `${p.bankName}: your internet & mobile banking username is ${p.username} and your first-time password is ${p.password}. ` +
    'You will be asked to change it at first login. We will never ask you for it.',
};
