/*
 * Switchboard for Kommo Salesbot.
 *
 * Adds one Salesbot step, "AI reply": it sends the customer's message to Switchboard with a
 * widget_request (Kommo signs it with the integration's secret), waits for Switchboard to continue
 * the bot, shows the whole reply ({{json.reply}}) as one message, and leaves through the
 * "handoff" exit when a person should take over, or the "answered" exit otherwise.
 */
define(['jquery'], function ($) {
  'use strict';

  var CustomWidget = function () {
    var self = this;

    function webhookUrl() {
      var settings = (self.get_settings && self.get_settings()) || {};
      var url = String(settings.webhook_url || '').trim();
      if (settings.secret) {
        url += (url.indexOf('?') === -1 ? '?' : '&') + 'key=' + encodeURIComponent(settings.secret);
      }
      return url;
    }

    function text(key, fallback) {
      var pack = (self.i18n && self.i18n('salesbot')) || {};
      return pack[key] || fallback;
    }

    this.salesbotSource = function (params) {
      var message = (params && params.message) || '{{message_text}}';
      return [
        {
          question: [
            {
              handler: 'widget_request',
              params: {
                url: webhookUrl(),
                data: {
                  message: message,
                  lead_id: '{{lead.id}}',
                  contact_id: '{{contact.id}}',
                  contact_name: '{{contact.name}}',
                  reply_mode: 'json'
                }
              }
            },
            { handler: 'goto', params: { type: 'question', step: 1 } }
          ]
        },
        {
          question: [
            {
              handler: 'conditions',
              params: {
                logic: 'and',
                conditions: [{ term1: '{{json.status}}', term2: 'human', operation: '=' }],
                result: [{ handler: 'exits', params: { value: 'handoff' } }]
              }
            },
            { handler: 'show', params: { type: 'text', value: '{{json.reply}}' } },
            {
              handler: 'conditions',
              params: {
                logic: 'and',
                conditions: [{ term1: '{{json.handoff}}', term2: 'true', operation: '=' }],
                result: [{ handler: 'exits', params: { value: 'handoff' } }]
              }
            },
            { handler: 'exits', params: { value: 'answered' } }
          ]
        }
      ];
    };

    this.callbacks = {
      render: function () { return true; },
      init: function () { return true; },
      bind_actions: function () { return true; },
      settings: function () { return true; },
      onSave: function () { return true; },
      destroy: function () {},
      salesbotDesignerSettings: function () {
        return {
          exits: [
            { code: 'answered', title: text('exit_answered', 'Answered by AI') },
            { code: 'handoff', title: text('exit_handoff', 'Hand over to a person') }
          ]
        };
      },
      onSalesbotDesignerSave: function (handlerCode, params) {
        return JSON.stringify(self.salesbotSource(params));
      }
    };
    return this;
  };

  return CustomWidget;
});
