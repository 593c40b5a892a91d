exports.create = async () => ({ roomId: '1' });
exports.list = async () => ({ statusCode: 200, body: '[]' });
exports.fallback = async () => ({ statusCode: 404 });
